"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import median

CASES = json.loads("[{\"input\":{\"args\":[[3,1,2,4,5]]},\"output\":3},{\"input\":{\"args\":[[5]]},\"output\":5},{\"input\":{\"args\":[[8,1,3,9,9,2,7]]},\"output\":7}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(median, case["input"].get("function", "median"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_2(self):
        case = CASES[1]
        fn = getattr(median, case["input"].get("function", "median"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_3(self):
        case = CASES[2]
        fn = getattr(median, case["input"].get("function", "median"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
