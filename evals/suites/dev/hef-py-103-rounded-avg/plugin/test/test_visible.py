"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import rounded_avg

CASES = json.loads("[{\"input\":{\"args\":[7,5]},\"output\":-1},{\"input\":{\"args\":[5,1]},\"output\":-1}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(rounded_avg, case["input"].get("function", "rounded_avg"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_2(self):
        case = CASES[1]
        fn = getattr(rounded_avg, case["input"].get("function", "rounded_avg"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
