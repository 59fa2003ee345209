"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import solution

CASES = json.loads("[{\"input\":{\"args\":[[]]},\"output\":[]}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(solution, case["input"].get("function", "remove_extras"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
