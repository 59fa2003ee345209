"""Runs src/main.py the way the plugin host does: JSON on stdin, JSON on stdout."""

import json
import subprocess
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "src" / "main.py"


def run(request, raw=None):
    data = raw if raw is not None else json.dumps(request)
    return subprocess.run([sys.executable, str(ENTRY)], input=data, capture_output=True, text=True, cwd=ROOT, timeout=30)


class ProtocolTest(unittest.TestCase):
    def test_execute_prints_one_json_value(self):
        proc = run({"op": "execute", "input": {"quantity": "5 km", "to": "mi", "precision": 5}})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout)["value"], 3.1069)

    def test_help_and_validate(self):
        help_proc = run({"op": "help"})
        self.assertEqual(help_proc.returncode, 0)
        self.assertIn("unit-convert", json.loads(help_proc.stdout))
        validate_proc = run({"op": "validate"})
        self.assertEqual(validate_proc.returncode, 0, validate_proc.stderr)
        self.assertTrue(json.loads(validate_proc.stdout)["ok"])

    def test_errors_are_the_last_stderr_line(self):
        proc = run({"op": "execute", "input": {"quantity": "5 kg", "to": "km"}})
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(proc.stdout, "")
        error = json.loads(proc.stderr.strip().splitlines()[-1])["error"]
        self.assertEqual(error["type"], "ConversionError")
        self.assertIn("Traceback", error["stack"])

    def test_bad_requests(self):
        for raw in ("", "not json", '{"input": {}}', '{"op": "explode"}'):
            with self.subTest(raw=raw):
                proc = run(None, raw=raw)
                self.assertEqual(proc.returncode, 1)
                self.assertIn('"error"', proc.stderr.strip().splitlines()[-1])


if __name__ == "__main__":
    unittest.main()
