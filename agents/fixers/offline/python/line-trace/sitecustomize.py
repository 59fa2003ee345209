# Loaded by Python at start-up when this directory is on PYTHONPATH (steward's offline
# fixer puts it there only for its coverage runs). With STEWARD_PY_COVERAGE set, the
# standard library's `trace` module counts the lines this process runs, and at exit
# the lines of files under the working directory (the plugin's copy) are written to
# one JSON file in that directory: one file a process, as Node's V8 coverage does.
import os

_out = os.environ.get("STEWARD_PY_COVERAGE")
if _out:
    import atexit
    import json
    import sys
    import threading
    import trace

    _root = os.path.realpath(os.getcwd()) + os.sep
    _self = os.path.dirname(os.path.realpath(__file__)) + os.sep
    _tracer = trace.Trace(count=1, trace=0)
    sys.settrace(_tracer.globaltrace)
    threading.settrace(_tracer.globaltrace)

    def _dump():
        sys.settrace(None)
        files = {}
        for (filename, line), _count in list(_tracer.counts.items()):
            path = os.path.realpath(filename)
            if path.startswith(_root) and not path.startswith(_self) and path.endswith(".py"):
                files.setdefault(path[len(_root):], set()).add(line)
        try:
            os.makedirs(_out, exist_ok=True)
            name = os.path.join(_out, "py-%d-%d.json" % (os.getpid(), id(_tracer)))
            with open(name, "w", encoding="utf-8") as handle:
                json.dump({"stewardPythonCoverage": 1, "files": {f: sorted(l) for f, l in files.items()}}, handle)
        except OSError:
            pass

    atexit.register(_dump)
