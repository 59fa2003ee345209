"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import solution

CASES = json.loads("[{\"input\":{\"args\":[-5,[1,5,10]]},\"output\":0},{\"input\":{\"args\":[-100,[-5,-1,3,5,7,10]]},\"output\":0}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(solution, case["input"].get("function", "search"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_2(self):
        case = CASES[1]
        fn = getattr(solution, case["input"].get("function", "search"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
