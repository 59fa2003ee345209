#!/usr/bin/env python3
"""rfty-q2-wrong-2-054: one JSON request on stdin, one JSON value on stdout (the plugin process protocol).

Failures exit 1 with a last stderr line {"error": {"type", "message", "stack"}}.
"""

import contextlib
import json
import sys
import traceback

import solution

ENTRIES = ["contains_unique_day","unique_day","unique_month"]


def execute(payload):
    name = payload.get("function", ENTRIES[0])
    if name not in ENTRIES:
        raise ValueError(f"unknown function {name!r}")
    # Anything the code prints goes to stderr: stdout carries the one JSON result.
    with contextlib.redirect_stdout(sys.stderr):
        return getattr(solution, name)(*payload["args"])


def handle(request):
    if not isinstance(request, dict) or "op" not in request:
        raise ValueError('expected a JSON object with an "op" field')
    if request["op"] == "execute":
        return execute(request.get("input") or {})
    if request["op"] == "help":
        return "rfty-q2-wrong-2-054: call one of " + ", ".join(ENTRIES) + ' with {"args": [...]}'
    if request["op"] == "validate":
        return {"ok": True}
    raise ValueError(f"unknown op {request['op']!r}")


def main():
    try:
        raw = sys.stdin.read()
        result = handle(json.loads(raw) if raw.strip() else None)
    except Exception as exc:  # noqa: BLE001 - everything must become a protocol error line
        error = {"type": type(exc).__name__, "message": str(exc), "stack": traceback.format_exc()}
        sys.stderr.write(json.dumps({"error": error}) + "\n")
        return 1
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
