# Runs one Python plugin's entry for one call of the process protocol, as its shebang
# would, with one addition: a hang leaves its stack behind.
#
#   python3 python-plugin.py <stack-at> <entry>
#   python3 python-plugin.py --batch <entry>
#
# <stack-at> is the wall-clock time (epoch milliseconds) at which the call is about to
# hit its limit. faulthandler's own C thread then writes every thread's stack to stderr
# without the GIL, so even a loop that never lets Python threads run (a regular
# expression backtracking, a C extension) is caught; the host turns the dump into a
# traceback (orchestrator/host/hang.ts). The process is not stopped here: the sandbox
# kills it at the limit, as before, so a call that ends in between only wrote a dump
# nobody reads. 0 means no dump.
#
# --batch answers many calls in one sandboxed process, for the checks that replay
# dozens of inputs: stdin is {"requests": [...], "perCallMs", "leadMs"}, and each
# request is one call of the entry in a child forked from this process, with the
# request on its stdin, as a process of its own would see it. The fork saves the
# sandbox's and the interpreter's start; the plugin's own modules are loaded in each
# child, so no state passes from one call to the next. One JSON line per call on
# stdout: {"i", "status": ok|failed|timeout|output-limit, "exitCode", "stdout",
# "stderr", "durationMs"}, which the host reads as it reads a process's end.
#
# Standard library only: it must start fast and alone.
import atexit
import faulthandler
import io
import json
import os
import runpy
import select
import signal
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


def run_entry(entry: str) -> int:
    """The entry as if started directly: its own argv, its directory first on sys.path."""
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


def main() -> int:
    if sys.argv[1] == "--batch":
        return batch(sys.argv[2])
    stack_at, entry = int(sys.argv[1]), sys.argv[2]
    if stack_at > 0:
        # fd 2 itself, not sys.stderr: the plugin may replace or close the Python object.
        faulthandler.dump_traceback_later(max(0.001, stack_at / 1000 - time.time()), exit=False, file=2)
    return run_entry(entry)


def exit_code(exc: SystemExit) -> int:
    """What the interpreter would exit with for this SystemExit (its message goes to stderr)."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    print(exc.code, file=sys.stderr)
    return 1


def child(entry: str, lead_s: float, limit_s: float) -> None:
    """In the forked child: fds 0-2 are the call's pipes; the streams are made anew over them."""
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)), encoding="utf-8", errors="backslashreplace", line_buffering=True)
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr
    code = 1
    try:
        if limit_s > lead_s:
            faulthandler.dump_traceback_later(limit_s - lead_s, exit=False, file=2)
        code = run_entry(entry)
    except SystemExit as exc:
        code = exit_code(exc)
    finally:
        # What the interpreter does on its way out, which os._exit skips: wait for the
        # plugin's non-daemon threads, then run its atexit hooks.
        try:
            if "threading" in sys.modules:
                sys.modules["threading"]._shutdown()
            atexit._run_exitfuncs()
        except BaseException:  # noqa: BLE001 - a failing hook is printed by atexit itself; the call's exit code stands
            pass
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001 - a closed or broken stream: nothing more to say
                pass
        os._exit(code)


def call(entry: str, request: bytes, limit_s: float, lead_s: float, cap: int) -> dict:
    """One call in a forked child, its pipes read until it ends, outgrows `cap` or runs out of time."""
    pipes = [os.pipe() for _ in range(3)]
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        # The child must never return into the batch's loop, whatever fails here.
        try:
            os.setsid()
            for target, (r, w) in enumerate(pipes):
                os.dup2(r if target == 0 else w, target)
            for r, w in pipes:
                os.close(r)
                os.close(w)
            child(entry, lead_s, limit_s)
        finally:
            os._exit(70)
    to_child = pipes[0][1]
    os.close(pipes[0][0])
    out_fd, err_fd = pipes[1][0], pipes[2][0]
    for _, w in pipes[1:]:
        os.close(w)
    got = {out_fd: bytearray(), err_fd: bytearray()}
    reading = [out_fd, err_fd]
    os.set_blocking(to_child, False)
    pending, status = memoryview(request), "ok"
    deadline = started + limit_s
    while reading and status == "ok":
        left = deadline - time.monotonic()
        if left <= 0:
            status = "timeout"
            break
        readable, writable, _ = select.select(reading, [to_child] if to_child is not None else [], [], left)
        if writable:
            try:
                pending = pending[os.write(to_child, pending):]
            except BrokenPipeError:
                pending = pending[len(pending):]
            if len(pending) == 0:
                os.close(to_child)
                to_child = None
        for fd in readable:
            chunk = os.read(fd, 65536)
            if not chunk:
                reading.remove(fd)
                continue
            got[fd] += chunk
            if len(got[fd]) > cap:
                status = "output-limit"
    wait_status = None
    # Both streams closed is not the end: the child may go on without them.
    while status == "ok":
        ended, wait_status = os.waitpid(pid, os.WNOHANG)
        if ended:
            break
        if time.monotonic() >= deadline:
            status = "timeout"
            break
        time.sleep(0.002)
    # The call's whole process group goes, as a sandbox's tree does when its process ends.
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if status != "ok" or wait_status is None:
        _, wait_status = os.waitpid(pid, 0)
    for fd in (out_fd, err_fd) + ((to_child,) if to_child is not None else ()):
        os.close(fd)
    stdout, stderr = bytes(got[out_fd]), bytes(got[err_fd])
    exit_status = os.waitstatus_to_exitcode(wait_status)
    if status == "ok" and exit_status != 0:
        status = "failed"
    return {
        "status": status,
        "exitCode": exit_status if exit_status >= 0 else None,
        "stdout": stdout[:cap].decode("utf-8", "replace"),
        "stderr": stderr[-cap:].decode("utf-8", "replace"),
        "durationMs": round((time.monotonic() - started) * 1000),
    }


# Loaded once, before the first fork, so that no child pays for them: standard modules
# plugins commonly import that hold no state a call could see (nothing seeded, no
# temporary names: not random, uuid, tempfile).
PRELOADED = ("json", "re", "traceback", "contextlib", "dataclasses", "enum", "typing", "collections", "functools", "itertools", "math", "datetime", "decimal", "fractions", "string", "pathlib", "hashlib", "base64", "copy")


def batch(entry: str) -> int:
    for name in PRELOADED:
        __import__(name)
    spec = json.loads(sys.stdin.buffer.read() or b"{}")
    limit_s = spec.get("perCallMs", 5000) / 1000
    lead_s = spec.get("leadMs", 0) / 1000
    cap = spec.get("outputLimitBytes", 4 * 1024 * 1024)
    out = sys.stdout
    for i, request in enumerate(spec.get("requests", [])):
        answer = call(entry, json.dumps(request).encode("utf-8"), limit_s, lead_s, cap)
        out.write(json.dumps({"i": i, **answer}) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
