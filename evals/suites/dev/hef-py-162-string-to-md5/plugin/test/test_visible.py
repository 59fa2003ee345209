"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import string_to_md5

CASES = json.loads("[{\"input\":{\"args\":[\"\"]},\"output\":null}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(string_to_md5, case["input"].get("function", "string_to_md5"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
