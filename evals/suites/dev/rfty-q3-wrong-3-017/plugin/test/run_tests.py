#!/usr/bin/env python3
"""Runs the unittest suite and writes a JUnit XML report for the plugin host.

Standard library only, so the plugin needs nothing installed beyond python3.
Exit status is 1 when any test fails or errors.
"""

import sys
import time
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "test-results" / "junit.xml"

sys.path.insert(0, str(ROOT / "src"))


class RecordingResult(unittest.TextTestResult):
    """Keeps per-test outcome and duration, which TextTestResult throws away."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = []
        self._started = 0.0

    def startTest(self, test):
        self._started = time.perf_counter()
        super().startTest(test)

    def _record(self, test, outcome=None, detail=""):
        self.cases.append((test, time.perf_counter() - self._started, outcome, detail))

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failure", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped", reason)

    def addSubTest(self, test, subtest, err):
        # A failing subtest fails its parent test in the report.
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = "failure" if issubclass(err[0], test.failureException) else "error"
            self._record(subtest, kind, self._exc_info_to_string(err, test))


def write_report(result, elapsed):
    counts = {"failure": 0, "error": 0, "skipped": 0}
    for _, _, outcome, _ in result.cases:
        if outcome in counts:
            counts[outcome] += 1
    suite = ET.Element(
        "testsuite",
        name="plugin",
        tests=str(len(result.cases)),
        failures=str(counts["failure"]),
        errors=str(counts["error"]),
        skipped=str(counts["skipped"]),
        time=f"{elapsed:.3f}",
    )
    for test, duration, outcome, detail in result.cases:
        test_id = test.id()
        classname, _, name = test_id.rpartition(".")
        case = ET.SubElement(suite, "testcase", classname=classname, name=name, time=f"{duration:.3f}")
        if outcome is not None:
            message = detail.strip().splitlines()[-1] if detail.strip() else outcome
            child = ET.SubElement(case, outcome, message=message)
            child.text = detail
    root = ET.Element("testsuites")
    root.append(suite)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(REPORT, encoding="utf-8", xml_declaration=True)


def main():
    suite = unittest.TestLoader().discover(str(ROOT / "test"), pattern="test_*.py", top_level_dir=str(ROOT / "test"))
    runner = unittest.TextTestRunner(resultclass=RecordingResult, verbosity=2, stream=sys.stderr)
    started = time.perf_counter()
    result = runner.run(suite)
    write_report(result, time.perf_counter() - started)
    print(f"wrote {REPORT.relative_to(ROOT)}: {result.testsRun} tests", file=sys.stderr)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
