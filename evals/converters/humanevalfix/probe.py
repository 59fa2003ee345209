#!/usr/bin/env python3
"""Probes HumanEvalFix Python items: records every call the benchmark's tests make to
the entry point (on the canonical solution), then replays each call on the buggy
solution and says what happened (same output, wrong output, raised, hung).

Usage: probe.py <humanevalpack.jsonl>  ->  one JSON object per item on stdout.
"""

import copy
import json
import signal
import sys
import traceback


class Hang(Exception):
    pass


def _alarm(_signum, _frame):
    raise Hang()


signal.signal(signal.SIGALRM, _alarm)


def with_timeout(seconds, fn):
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def jsonable(value):
    """The value as JSON would carry it, or raise when it cannot be carried faithfully."""
    text = json.dumps(value, allow_nan=False)
    back = json.loads(text)
    if back != value or type(back) is not type(value):
        raise ValueError("changes through JSON")
    return back


def record(item):
    env = {}
    exec(item["prompt"] + item["canonical_solution"], env)
    impl = env[item["entry_point"]]
    calls = []
    depth = [0]

    def wrapper(*args, **kwargs):
        top = depth[0] == 0
        depth[0] += 1
        try:
            snapshot = None
            if top:
                try:
                    snapshot = copy.deepcopy(args) if not kwargs else None
                except Exception:  # noqa: BLE001
                    snapshot = None
            result = impl(*args, **kwargs)
            if top:
                calls.append((snapshot, result))
            return result
        finally:
            depth[0] -= 1

    env[item["entry_point"]] = wrapper
    with_timeout(20, lambda: exec(item["test"], env))
    with_timeout(20, lambda: exec(item["example_test"], env))
    return calls


def probe(item):
    out = {"task_id": item["task_id"], "entry": item["entry_point"]}
    try:
        calls = record(item)
    except BaseException as exc:  # noqa: BLE001
        out["error"] = "canonical solution fails its tests: " + type(exc).__name__
        return out
    cases, dropped = [], 0
    seen = set()
    for args, result in calls:
        if args is None:
            dropped += 1
            continue
        try:
            margs = jsonable(list(args))
            mres = json.loads(json.dumps(result, allow_nan=False))
        except (TypeError, ValueError):
            dropped += 1
            continue
        key = json.dumps(margs, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        cases.append({"args": margs, "output": mres})
    out["cases"] = cases
    out["notJson"] = dropped
    buggy = {}
    try:
        with_timeout(10, lambda: exec(item["prompt"] + item["buggy_solution"], buggy))
    except BaseException as exc:  # noqa: BLE001
        out["error"] = "buggy module fails to load: " + type(exc).__name__
        return out
    fn = buggy.get(item["entry_point"])
    for case in cases:
        args = copy.deepcopy(case["args"])
        try:
            result = with_timeout(3, lambda: fn(*args))
            try:
                same = json.loads(json.dumps(result, allow_nan=False)) == case["output"]
            except (TypeError, ValueError):
                same = False
            case["buggy"] = "same" if same else "wrong"
        except Hang:
            case["buggy"] = "hang"
        except RecursionError:
            case["buggy"] = "raise:RecursionError"
        except BaseException as exc:  # noqa: BLE001
            case["buggy"] = "raise:" + type(exc).__name__
            case["trace"] = traceback.format_exc(limit=-1).strip().splitlines()[-1]
    return out


def main():
    sys.setrecursionlimit(5000)
    with open(sys.argv[1], encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh if line.strip()]
    for item in items:
        try:
            result = probe(item)
        except BaseException as exc:  # noqa: BLE001
            result = {"task_id": item["task_id"], "error": "probe failed: " + type(exc).__name__ + ": " + str(exc)[:200]}
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
