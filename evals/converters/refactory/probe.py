#!/usr/bin/env python3
"""Probes the Refactory data set (githubhuyang/refactory, data.zip): for each question it
reads the instructor's test calls (ans/input_*.txt) and expected outputs, runs the
reference solution on them as JSON would carry them, then runs every wrong student
program on the same calls and says what happened (same output, wrong output, raised, hung).

Usage: probe.py <data dir> -> one JSON object per wrong program on stdout.
"""

import ast
import contextlib
import copy
import io
import json
import signal
import sys
import traceback
from pathlib import Path


class Hang(Exception):
    pass


def _alarm(_signum, _frame):
    raise Hang()


signal.signal(signal.SIGALRM, _alarm)


def with_timeout(seconds, fn):
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def as_json(value):
    return json.loads(json.dumps(value, allow_nan=False))


def load(code):
    env = {"__name__": "student"}
    with_timeout(5, lambda: exec(compile(code, "student.py", "exec"), env))
    return env


def question_cases(qdir):
    reference = (qdir / "code" / "reference" / "reference.py").read_text()
    env = load(reference)
    names = sorted({n for n, v in env.items() if callable(v) and getattr(v, "__module__", None) == "student"})
    cases, dropped = [], 0
    for inp in sorted((qdir / "ans").glob("input_*.txt")):
        out = qdir / "ans" / inp.name.replace("input_", "output_")
        try:
            call = ast.parse(inp.read_text().strip(), mode="eval").body
            fn = call.func.id
            args = [ast.literal_eval(a) for a in call.args]
            expected = as_json(ast.literal_eval(out.read_text().strip()))
            jargs = as_json(args)
            got = as_json(with_timeout(5, lambda: env[fn](*copy.deepcopy(jargs))))
        except Exception:  # noqa: BLE001
            dropped += 1
            continue
        if got != expected:
            dropped += 1
            continue
        inp_obj = {"args": jargs} if len(names) == 1 else {"function": fn, "args": jargs}
        cases.append({"input": inp_obj, "output": got, "fn": fn, "test": inp.name})
    return reference, names, cases, dropped


def main():
    data = Path(sys.argv[1])
    for qdir in sorted(data.glob("question_*")):
        reference, names, cases, dropped = question_cases(qdir)
        for path in sorted((qdir / "code" / "wrong").glob("*.py")):
            code = path.read_text(errors="replace")
            row = {"task_id": f"{qdir.name}/{path.name}", "question": qdir.name, "file": path.name, "entries": names, "notJson": dropped}
            try:
                env = load(code)
            except BaseException as exc:  # noqa: BLE001
                row["error"] = "does not load: " + type(exc).__name__
                sys.stdout.write(json.dumps(row) + "\n")
                continue
            if any(not callable(env.get(n)) for n in names):
                row["error"] = "does not define every entry point"
                sys.stdout.write(json.dumps(row) + "\n")
                continue
            results = []
            for case in cases:
                c = dict(case)
                args = copy.deepcopy(case["input"]["args"])
                try:
                    value = with_timeout(2, lambda: env[case["fn"]](*args))
                    try:
                        c["buggy"] = "same" if as_json(value) == case["output"] else "wrong"
                    except (TypeError, ValueError):
                        c["buggy"] = "wrong"
                except Hang:
                    c["buggy"] = "hang"
                except RecursionError:
                    c["buggy"] = "raise:RecursionError"
                except BaseException as exc:  # noqa: BLE001
                    c["buggy"] = "raise:" + type(exc).__name__
                    c["trace"] = traceback.format_exc().strip().splitlines()[-1][:200]
                results.append(c)
            row["cases"] = results
            sys.stdout.write(json.dumps(row) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
