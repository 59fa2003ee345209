"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import is_simple_power

CASES = json.loads("[{\"input\":{\"args\":[1,4]},\"output\":true},{\"input\":{\"args\":[3,1]},\"output\":false},{\"input\":{\"args\":[1,1]},\"output\":true},{\"input\":{\"args\":[1,12]},\"output\":true}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(is_simple_power, case["input"].get("function", "is_simple_power"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_2(self):
        case = CASES[1]
        fn = getattr(is_simple_power, case["input"].get("function", "is_simple_power"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_3(self):
        case = CASES[2]
        fn = getattr(is_simple_power, case["input"].get("function", "is_simple_power"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_4(self):
        case = CASES[3]
        fn = getattr(is_simple_power, case["input"].get("function", "is_simple_power"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
