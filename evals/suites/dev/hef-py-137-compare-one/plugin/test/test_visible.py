"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import compare_one

CASES = json.loads("[{\"input\":{\"args\":[1,2]},\"output\":2},{\"input\":{\"args\":[1,2.5]},\"output\":2.5},{\"input\":{\"args\":[2,3]},\"output\":3},{\"input\":{\"args\":[5,6]},\"output\":6},{\"input\":{\"args\":[1,\"2,3\"]},\"output\":\"2,3\"},{\"input\":{\"args\":[\"1\",\"2\"]},\"output\":\"2\"},{\"input\":{\"args\":[\"1\",1]},\"output\":null}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(compare_one, case["input"].get("function", "compare_one"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_2(self):
        case = CASES[1]
        fn = getattr(compare_one, case["input"].get("function", "compare_one"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_3(self):
        case = CASES[2]
        fn = getattr(compare_one, case["input"].get("function", "compare_one"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_4(self):
        case = CASES[3]
        fn = getattr(compare_one, case["input"].get("function", "compare_one"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_5(self):
        case = CASES[4]
        fn = getattr(compare_one, case["input"].get("function", "compare_one"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_6(self):
        case = CASES[5]
        fn = getattr(compare_one, case["input"].get("function", "compare_one"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_7(self):
        case = CASES[6]
        fn = getattr(compare_one, case["input"].get("function", "compare_one"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
