"""Calls from the benchmark's tests that the plugin answers correctly."""

import json
import unittest

import get_odd_collatz

CASES = json.loads("[{\"input\":{\"args\":[1]},\"output\":[1]}]")


class VisibleTest(unittest.TestCase):
    def test_case_1(self):
        case = CASES[0]
        fn = getattr(get_odd_collatz, case["input"].get("function", "get_odd_collatz"))
        self.assertEqual(json.loads(json.dumps(fn(*case["input"]["args"]))), case["output"])


if __name__ == "__main__":
    unittest.main()
