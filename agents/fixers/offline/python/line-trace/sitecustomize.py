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
        # Whole or not at all: the periodic write and the one at exit may meet.
        try:
            os.makedirs(_out, exist_ok=True)
            part = os.path.join(_out, ".%s.%d.part" % (name, threading.get_ident()))
            with open(part, "w", encoding="utf-8") as handle:
                json.dump(dict(report, stewardPythonCoverage=1), handle)
            os.replace(part, os.path.join(_out, name))
        except OSError:
            pass

    def _process_report():
        return {"files": {f: sorted(l) for f, l in _lines(list(_tracer.counts)).items()}}

    _process_file = "py-%d-%d.json" % (os.getpid(), id(_tracer))
    _periodic = threading.Lock()

    def _dump():
        sys.settrace(None)
        if not _written[0]:
            _write(_process_file, _process_report())

    atexit.register(_dump)

    def _every_while():
        # A call that hangs is killed, and never reaches atexit: what it ran is written as it goes.
        import time

        while True:
            time.sleep(0.25)
            with _periodic:
                if _load or _written[0]:
                    return
                try:
                    _write(_process_file, _process_report())
                except RuntimeError:
                    pass  # The counts changed under us; the next turn takes them.


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
                with _periodic:
                    _load.append(_lines(list(_tracer.counts)))
                    # Tests are told apart from here: the process's own file, written while it loaded, is not a run.
                    try:
                        os.remove(os.path.join(_out, _process_file))
                    except OSError:
                        pass
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

    # Started before tracing begins, so this thread is not traced itself.
    threading.Thread(target=_every_while, name="steward-coverage", daemon=True).start()
    sys.settrace(_tracer.globaltrace)
    threading.settrace(_tracer.globaltrace)
