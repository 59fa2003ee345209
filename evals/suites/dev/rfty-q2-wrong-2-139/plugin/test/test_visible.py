"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import solution

CASES = json.loads("[{\"input\":{\"function\":\"unique_day\",\"args\":[\"1\",[[\"January\",\"1\"],[\"February\",\"1\"]]]},\"output\":false},{\"input\":{\"function\":\"unique_month\",\"args\":[\"January\",[[\"January\",\"1\"],[\"January\",\"2\"]]]},\"output\":false},{\"input\":{\"function\":\"unique_month\",\"args\":[\"January\",[[\"January\",\"1\"],[\"February\",\"1\"]]]},\"output\":true},{\"input\":{\"function\":\"unique_day\",\"args\":[\"3\",[[\"January\",\"1\"],[\"January\",\"2\"]]]},\"output\":false},{\"input\":{\"function\":\"unique_month\",\"args\":[\"March\",[[\"January\",\"1\"],[\"February\",\"1\"]]]},\"output\":false},{\"input\":{\"function\":\"unique_day\",\"args\":[\"1\",[[\"January\",\"1\"],[\"January\",\"2\"]]]},\"output\":true}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(solution, case["input"].get("function", "contains_unique_day"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_2(self):
        case = CASES[1]
        fn = getattr(solution, case["input"].get("function", "contains_unique_day"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_3(self):
        case = CASES[2]
        fn = getattr(solution, case["input"].get("function", "contains_unique_day"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_4(self):
        case = CASES[3]
        fn = getattr(solution, case["input"].get("function", "contains_unique_day"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_5(self):
        case = CASES[4]
        fn = getattr(solution, case["input"].get("function", "contains_unique_day"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_6(self):
        case = CASES[5]
        fn = getattr(solution, case["input"].get("function", "contains_unique_day"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
