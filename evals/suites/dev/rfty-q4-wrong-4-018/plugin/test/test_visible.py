"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import solution

CASES = json.loads("[{\"input\":{\"args\":[[[\"F\",19]]]},\"output\":[[\"F\",19]]},{\"input\":{\"args\":[[[\"M\",23],[\"F\",19],[\"M\",30]]]},\"output\":[[\"M\",30],[\"M\",23],[\"F\",19]]}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(solution, case["input"].get("function", "sort_age"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_2(self):
        case = CASES[1]
        fn = getattr(solution, case["input"].get("function", "sort_age"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
