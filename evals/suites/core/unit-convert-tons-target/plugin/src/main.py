#!/usr/bin/env python3
"""unit-convert entry point: one JSON request on stdin, one JSON value on stdout.

Errors go to stderr as a final line {"error": {"type", "message", "stack"}} with a
non-zero exit, which is how the plugin host tells a failure from a result.
"""

import json
import sys
import traceback

from convert import UNITS, _ALIASES, ConversionError, convert_request, describe_units

HELP = (
    "unit-convert: convert quantities between units.\n"
    'input:  {"quantity": "5 km", "to": "mi"} or {"value": 72, "from": "F", "to": "C"}; optional "precision" (significant digits, default 10)\n'
    'output: {"value", "unit", "dimension", "formatted", "from": {"value", "unit"}}\n'
    "dimensions: length, mass, temperature, data"
)


class ProtocolError(Exception):
    pass


def self_check() -> dict:
    # Every alias must point at a real unit; a typo there would only show up in production.
    broken = sorted(alias for alias, symbol in _ALIASES.items() if symbol not in UNITS)
    if broken:
        raise ConversionError(f"aliases point at unknown units: {', '.join(broken)}")
    return {"ok": True, "units": describe_units()}


def handle(request: object) -> object:
    if not isinstance(request, dict) or "op" not in request:
        raise ProtocolError('expected a JSON object with an "op" field')
    op = request["op"]
    if op == "execute":
        payload = request.get("input")
        if not isinstance(payload, dict):
            raise ProtocolError('"input" must be an object')
        return convert_request(payload)
    if op == "help":
        return HELP
    if op == "validate":
        return self_check()
    raise ProtocolError(f"unknown op {op!r}")


def main() -> int:
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
