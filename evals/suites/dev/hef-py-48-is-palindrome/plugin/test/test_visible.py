"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import is_palindrome

CASES = json.loads("[{\"input\":{\"args\":[\"\"]},\"output\":true}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(is_palindrome, case["input"].get("function", "is_palindrome"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
