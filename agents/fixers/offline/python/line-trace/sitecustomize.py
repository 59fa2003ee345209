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

    _known = {}

    def _plugin_file(filename):
        # realpath is pure Python and slow: each file name is resolved once.
        known = _known.get(filename)
        if known is None:
            path = os.path.realpath(filename)
            known = path[len(_root):] if path.startswith(_root) and not path.startswith(_self) and path.endswith(".py") else ""
            _known[filename] = known
        return known

    def _lines(keys):
        files = {}
        for (filename, line) in keys:
            name = _plugin_file(filename)
            if name:
                files.setdefault(name, set()).add(line)
        return files

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
            _write("py-%d-%d.json" % (os.getpid(), id(_tracer)), {"files": {f: sorted(l) for f, l in _lines(list(_tracer.counts)).items()}})

    atexit.register(_dump)

    import unittest

    _run = unittest.TestCase.run
    _load = []

    def _bad(result):
        # unittest's results count failures; another runner's (pytest's) may not: then the outcome is unknown.
        try:
            return len(result.failures) + len(result.errors) + len(getattr(result, "unexpectedSuccesses", ()))
        except (AttributeError, TypeError):
            return None

    def _run_counted(self, result=None):
        # Steward's bookkeeping is not the test's, and tracing it would cost more than the test.
        tracing = sys.gettrace()
        sys.settrace(None)
        try:
            if not _load:
                _load.append(_lines(list(_tracer.counts)))
            process = _tracer.counts
            _tracer.counts = {}
            before = _bad(result) if result is not None else 0
        finally:
            sys.settrace(tracing)
        returned = None
        try:
            returned = _run(self, result)
            return returned
        finally:
            sys.settrace(None)
            try:
                mine = _tracer.counts
                _tracer.counts = process
                for key, count in list(mine.items()):
                    process[key] = process.get(key, 0) + count
                _written[0] += 1
                files = {f: set(l) for f, l in _load[0].items()}
                for name, lines in _lines(list(mine)).items():
                    files.setdefault(name, set()).update(lines)
                report = {"files": {f: sorted(l) for f, l in files.items()}, "stewardTest": {"name": self.id()[:200]}}
                after = _bad(result if result is not None else returned)
                if after is not None and before is not None:
                    report["stewardTest"]["passed"] = after == before
                _write("py-test-%d-%06d.json" % (os.getpid(), _written[0]), report)
            finally:
                sys.settrace(tracing)

    unittest.TestCase.run = _run_counted
