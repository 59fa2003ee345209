"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import solution

CASES = json.loads("[{\"input\":{\"args\":[[1,1,1,2,3]]},\"output\":[1,2,3]},{\"input\":{\"args\":[[1,5,1,1,3,2]]},\"output\":[1,5,3,2]},{\"input\":{\"args\":[[3,4,5,1,3]]},\"output\":[3,4,5,1]},{\"input\":{\"args\":[[3,4,5,1,3]]},\"output\":[3,4,5,1]},{\"input\":{\"args\":[[3,4,5,1,3]]},\"output\":[3,4,5,1]}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(solution, case["input"].get("function", "remove_extras"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_2(self):
        case = CASES[1]
        fn = getattr(solution, case["input"].get("function", "remove_extras"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_3(self):
        case = CASES[2]
        fn = getattr(solution, case["input"].get("function", "remove_extras"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_4(self):
        case = CASES[3]
        fn = getattr(solution, case["input"].get("function", "remove_extras"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_5(self):
        case = CASES[4]
        fn = getattr(solution, case["input"].get("function", "remove_extras"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
