# Loaded by Python at start-up when this directory is on PYTHONPATH (steward's offline
# fixer puts it there only for its coverage runs). With STEWARD_PY_COVERAGE set, the
# standard library's `trace` module counts the lines this process runs, and the lines
# of files under the working directory (the plugin's copy) are written as JSON into
# that directory: one file a unittest test, with what the process ran while loading
# and whether the test passed, when the process runs unittest tests; else one file a
# process, at exit, as Node's V8 coverage does.
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

    def _lines(counts):
        files = {}
        for (filename, line) in list(counts):
            path = os.path.realpath(filename)
            if path.startswith(_root) and not path.startswith(_self) and path.endswith(".py"):
                files.setdefault(path[len(_root):], set()).add(line)
        return {f: sorted(l) for f, l in files.items()}

    _written = [0]

    def _write(name, report):
        try:
            os.makedirs(_out, exist_ok=True)
            with open(os.path.join(_out, name), "w", encoding="utf-8") as handle:
                json.dump(dict(report, stewardPythonCoverage=1), handle)
        except OSError:
            pass

    def _dump():
        sys.settrace(None)
        if not _written[0]:
            _write("py-%d-%d.json" % (os.getpid(), id(_tracer)), {"files": _lines(_tracer.counts)})

    atexit.register(_dump)

    import unittest

    _run = unittest.TestCase.run
    _load = []

    def _run_counted(self, result=None):
        # The counts so far are the load's (or the previous tests'); the test gets its own.
        if not _load:
            _load.append(dict(_tracer.counts))
        process = _tracer.counts
        _tracer.counts = {}
        bad = (lambda: len(result.failures) + len(result.errors) + len(getattr(result, "unexpectedSuccesses", ()))) if result is not None else None
        before = bad() if bad else 0
        try:
            return _run(self, result)
        finally:
            # The tracer counts these very lines: swap back before reading the test's counts.
            mine = _tracer.counts
            _tracer.counts = process
            for key, count in list(mine.items()):
                process[key] = process.get(key, 0) + count
            _written[0] += 1
            report = {"files": _lines(list(_load[0]) + list(mine)), "stewardTest": {"name": self.id()[:200]}}
            if bad:
                report["stewardTest"]["passed"] = bad() == before
            _write("py-test-%d-%d.json" % (os.getpid(), _written[0]), report)

    unittest.TestCase.run = _run_counted
