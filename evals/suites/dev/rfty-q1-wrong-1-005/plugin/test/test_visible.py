"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import solution

CASES = json.loads("[{\"input\":{\"args\":[42,[-5,1,3,5,7,10]]},\"output\":6},{\"input\":{\"args\":[42,[1,5,10]]},\"output\":3},{\"input\":{\"args\":[5,[1,5,10]]},\"output\":1},{\"input\":{\"args\":[7,[1,5,10]]},\"output\":2},{\"input\":{\"args\":[3,[1,5,10]]},\"output\":1},{\"input\":{\"args\":[-5,[1,5,10]]},\"output\":0},{\"input\":{\"args\":[10,[-5,-1,3,5,7,10]]},\"output\":5},{\"input\":{\"args\":[-100,[-5,-1,3,5,7,10]]},\"output\":0},{\"input\":{\"args\":[0,[-5,-1,3,5,7,10]]},\"output\":2}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(solution, case["input"].get("function", "search"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_2(self):
        case = CASES[1]
        fn = getattr(solution, case["input"].get("function", "search"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_3(self):
        case = CASES[2]
        fn = getattr(solution, case["input"].get("function", "search"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_4(self):
        case = CASES[3]
        fn = getattr(solution, case["input"].get("function", "search"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_5(self):
        case = CASES[4]
        fn = getattr(solution, case["input"].get("function", "search"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_6(self):
        case = CASES[5]
        fn = getattr(solution, case["input"].get("function", "search"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_7(self):
        case = CASES[6]
        fn = getattr(solution, case["input"].get("function", "search"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_8(self):
        case = CASES[7]
        fn = getattr(solution, case["input"].get("function", "search"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_9(self):
        case = CASES[8]
        fn = getattr(solution, case["input"].get("function", "search"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
