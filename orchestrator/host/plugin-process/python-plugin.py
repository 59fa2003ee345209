# Runs one Python plugin's entry for one call of the process protocol, as its shebang
# would, with one addition: a hang leaves its stack behind.
#
#   python3 python-plugin.py <stack-at> <entry>
#
# <stack-at> is the wall-clock time (epoch milliseconds) at which the call is about to
# hit its limit. faulthandler's own C thread then writes every thread's stack to stderr
# without the GIL, so even a loop that never lets Python threads run (a regular
# expression backtracking, a C extension) is caught; the host turns the dump into a
# traceback (orchestrator/host/hang.ts). The process is not stopped here: the sandbox
# kills it at the limit, as before, so a call that ends in between only wrote a dump
# nobody reads. 0 means no dump.
#
# Standard library only: it must start fast and alone.
import faulthandler
import os
import runpy
import sys
import time


def _trimmed(tb):
    # The runner's and runpy's frames come first: they say nothing about the plugin.
    here = os.path.abspath(__file__)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name != here and "runpy" not in name:
            break
        tb = tb.tb_next
    return tb


def main() -> int:
    stack_at, entry = int(sys.argv[1]), sys.argv[2]
    if stack_at > 0:
        # fd 2 itself, not sys.stderr: the plugin may replace or close the Python object.
        faulthandler.dump_traceback_later(max(0.001, stack_at / 1000 - time.time()), exit=False, file=2)
    # The entry runs as if started directly: its own argv, its directory first on sys.path.
    sys.argv = [entry]
    sys.path[0] = os.path.dirname(os.path.abspath(entry))
    try:
        runpy.run_path(entry, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - printed as Python would, without the runner's frames
        # The hook prints the exception's own traceback, so that is the one trimmed.
        sys.excepthook(type(exc), exc, exc.with_traceback(_trimmed(exc.__traceback__)).__traceback__)
        return 1
    finally:
        faulthandler.cancel_dump_traceback_later()
    return 0


if __name__ == "__main__":
    sys.exit(main())
