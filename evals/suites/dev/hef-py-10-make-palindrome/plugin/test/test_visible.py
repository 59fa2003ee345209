"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import make_palindrome

CASES = json.loads("[{\"input\":{\"args\":[\"\"]},\"output\":\"\"},{\"input\":{\"args\":[\"x\"]},\"output\":\"x\"},{\"input\":{\"args\":[\"xyx\"]},\"output\":\"xyx\"}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(make_palindrome, case["input"].get("function", "make_palindrome"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_2(self):
        case = CASES[1]
        fn = getattr(make_palindrome, case["input"].get("function", "make_palindrome"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])

    def test_case_3(self):
        case = CASES[2]
        fn = getattr(make_palindrome, case["input"].get("function", "make_palindrome"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
