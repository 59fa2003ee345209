"""Fix templates and operator families for Python plugins, on Python's own `ast` (parsed, never run).

Reads {"files": {path: text}, "sites": [{"file", "line", "alone"?}], "error": {"type", "message"}}
as JSON on stdin; writes {"fixes": [{"site", "rank", "file", "line", "template", "tier",
"edits", "rationale", "preference"}], "targets": [{"rank", "site", "file", "line", "why"}]}.
Edits are {start, end, text} in character offsets of the file's text, counted in UTF-16
code units as JavaScript counts them; every fix's result compiles. `rank` is the order
of the statement the fix is at among every statement visited (most suspicious first);
`tier` is `template` (a fix pattern for the error), `cheap` (one token, a name or a
clause) or `costly` (a statement inserted, or a change that can silence the failure).
The steward fixer tries them in the sandbox.
"""

import ast
import json
import os
import re
import sys

# The entry runs under `python3 -I`, which leaves its own directory off the path; and it
# must leave no __pycache__ in the tree it ships in.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pysource import Source, apply  # noqa: E402
from operators import COSTLY, REPLACE, TOKEN, call_brackets, call_missing, concat_operand, initialise, loop_iterable, loop_progress, loop_stuck, member_spelling, mutator_result, name_spelling, recursion_ends, text_bytes  # noqa: E402
from operators.common import FAMILY_CAP, Scope, around, body_statements, header, reads, stored  # noqa: E402

CONTROLS = 4
DEFINITIONS = 4
EARLIER = 10


# Errors a None value cannot raise (subscripting or dividing None raises TypeError), and a
# hang, which raises nothing.
NOT_FROM_NONE = {"NameError", "UnboundLocalError", "IndexError", "ZeroDivisionError", "Timeout"}


def guard(src, statement, ctx):
    """Return early from the function when a value its failing line uses is missing or zero;
    for an IndexError at a constant index of a parameter (`xs[0]` of an empty list), in a
    function that answers with a sequence, return the empty parameter."""
    fn, site, error = ctx.fn, ctx.site, ctx.error
    if fn is None or not isinstance(statement, ast.stmt):
        return []
    params = {a.arg for a in fn.args.args + fn.args.kwonlyargs}
    used = []
    # Breadth first, as `ast.walk` goes: the divisor of `xs[i] / i` before the subscript's names.
    for node in (n for h in header(statement) for n in ast.walk(h)):
        if isinstance(node, ast.Name) and node.id in params and node.id not in used:
            used.append(node.id)
    own, indent = src.own_line(statement)
    # Only before a statement that starts its own line: not after `else:` or a one-line `def`.
    if not own:
        return []
    at = src.starts[statement.lineno - 1]
    out = []
    for name in used:
        # None raises none of these errors: the early return would only step round them.
        variants = [] if error.get("type") in NOT_FROM_NONE else [(f"if {name} is None:\n{indent}    return None\n", f"`{name}` may be None")]
        if error.get("type") in ("ValueError", "ZeroDivisionError", "ArithmeticError") or (error.get("type") == "IndexError" and first_or_last(statement, name) and returns_sequence(fn)):
            variants.insert(0, (f"if not {name}:\n{indent}    return {name}\n", f"`{name}` may be zero or empty, where {error.get('type')} is raised"))
        for code, why in variants:
            out.append({"template": "guard", "edits": [{"start": at, "end": at, "text": indent + code}], "preference": 0,
                        "rationale": f"guard added at {site['file']}:{statement.lineno}: {why}; the function returns it before line {site['line']}"})
    return out


def first_or_last(statement, name):
    """Whether the statement reads `name[0]`, `name[-1]` or another constant index: what an empty sequence cannot give."""
    def constant(node):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            node = node.operand
        return isinstance(node, ast.Constant) and type(node.value) is int
    return any(isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == name and constant(n.slice) for h in header(statement) for n in ast.walk(h))


def returns_sequence(fn):
    """Whether the function answers with a sequence elsewhere (a list or tuple display, or a variable bound to one):
    then an empty input's answer is the empty input; a function that answers a number has no such answer."""
    shown = (ast.List, ast.Tuple, ast.ListComp)
    bound = {t.id for s in ast.walk(fn) if isinstance(s, ast.Assign) and isinstance(s.value, shown) for t in s.targets if isinstance(t, ast.Name)}
    return any(isinstance(r.value, shown) or (isinstance(r.value, ast.Name) and r.value.id in bound) for r in ast.walk(fn) if isinstance(r, ast.Return) and r.value is not None)


# What a missing value stands for, by what is read of it: a string's methods read '', a list's [], a dict's {}.
DEFAULTS = {
    "''": {"strip", "lstrip", "rstrip", "lower", "upper", "split", "startswith", "endswith", "replace", "encode", "format", "casefold", "title", "splitlines", "isdigit"},
    "[]": {"append", "extend", "sort", "index", "count", "pop", "insert"},
    "{}": {"get", "items", "keys", "values", "setdefault"},
}


def null_guard(src, statement, ctx):
    """A None read where optional access with a default is right: `(x or '').strip()`,
    `(d or {}).get("k")`, `d.get("k")` for a missing key, `for i in items or []`."""
    error = ctx.error
    message = error.get("message") or ""
    attr = re.match(r"'NoneType' object has no attribute '(\w+)'", message)
    out = []
    for node in [n for h in ([statement] if not isinstance(statement, (ast.If, ast.While, ast.For)) else [getattr(statement, "test", None) or statement.iter]) for n in ast.walk(h)]:
        where = f"{ctx.site['file']}:{getattr(node, 'lineno', statement.lineno)}"
        if attr and isinstance(node, ast.Attribute) and node.attr == attr.group(1):
            default = next((d for d, methods in DEFAULTS.items() if node.attr in methods), None)
            value = src.text_of(node.value)
            if default:
                out.append((node.value, f"({value} or {default})", f"default for a missing value at {where}: `{value}` may be None; `.{node.attr}` now reads `{default}`"))
            elif not isinstance(getattr(node, "parent", None), ast.Call):
                out.append((node, f"getattr({value}, {node.attr!r}, None)", f"optional access at {where}: `{value}` may be None, so `.{node.attr}` reads None"))
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            value, key = src.text_of(node.value), src.text_of(node.slice)
            if "NoneType' object is not subscriptable" in message:
                out.append((node, f"({value} or {{}}).get({key})", f"optional access at {where}: `{value}` may be None, so `[{key}]` reads None"))
            elif error.get("type") == "KeyError" and message.strip("'\"") == node.slice.value:
                out.append((node, f"{value}.get({key})", f"optional access at {where}: `{value}` may lack the key {key}, which now reads None"))
        if "NoneType' object is not iterable" in message and isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.iter, (ast.Name, ast.Attribute)):
            out.append((node.iter, f"{src.text_of(node.iter)} or []", f"default for a missing value at {where}: `{src.text_of(node.iter)}` may be None and is iterated as []"))
    return [{"template": "null-guard", "edits": [dict(zip(("start", "end"), src.span(n)), text=text)], "preference": 0, "rationale": why} for n, text, why in out]


# Methods of one number type that the other lacks: an int where a float was meant, or the reverse.
CONVERT = {"int": ("float", {"is_integer", "hex", "as_integer_ratio"}), "float": ("int", {"bit_length", "bit_count", "to_bytes"})}


def article(word):
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def coercion(src, statement, ctx):
    """`'int' object has no attribute 'is_integer'`: the value converted where the method is called."""
    error = ctx.error
    found = re.match(r"'(\w+)' object has no attribute '(\w+)'", error.get("message", "")) if error.get("type") == "AttributeError" else None
    if not found or found.group(1) not in CONVERT:
        return []
    to, methods = CONVERT[found.group(1)]
    if found.group(2) not in methods:
        return []
    out = []
    for node in ast.walk(statement):
        if isinstance(node, ast.Attribute) and node.attr == found.group(2):
            shown = src.text_of(node.value)
            out.append({"template": "coercion", "edits": [dict(zip(("start", "end"), src.span(node.value)), text=f"{to}({shown})")], "preference": 1,
                        "rationale": f"value converted at {ctx.site['file']}:{node.lineno}: `{shown}` is {article(found.group(1))} where `.{node.attr}` needs {article(to)}; it is now `{to}({shown})`"})
    return out


TEMPLATES = [name_spelling.propose, member_spelling.propose, call_brackets.propose, call_missing.propose, concat_operand.propose, loop_iterable.propose, loop_progress.propose, loop_stuck.propose, mutator_result.propose, recursion_ends.propose, text_bytes.propose, guard, null_guard, coercion, initialise.propose]


class Context:
    """What a template sees besides the statement: the site it came from, the error, the
    function, the names in scope, and what the failing line reads."""

    def __init__(self, src, statement, site, error, failing):
        self.site, self.error, self.statement = site, error, statement
        self.fn = src.function_of(statement)
        self.scope = Scope(src, self.fn, statement)
        self.failing_reads = reads(failing) if failing is not None else []


def controls(statement):
    """The `if`s and loops around a statement in its function, nearest first: their
    conditions decide whether (and how often) it runs."""
    return around(getattr(statement, "parent", None), (ast.If, ast.While, ast.For, ast.AsyncFor))[:CONTROLS]


def definitions(src, statement, fn):
    """Where the values the statement reads were last set in its function before it (a small def-use walk), nearest first."""
    if fn is None:
        return []
    before = sorted((s for s in body_statements(fn) if s.lineno < statement.lineno and not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))), key=lambda s: -s.lineno)
    out = []
    for name in reads(statement):
        last = next((s for s in before if name in {n for n, _ in stored(s)}), None)
        if last is not None and last not in out:
            out.append(last)
    return sorted(out, key=lambda s: -s.lineno)[:DEFINITIONS]


def earlier(src, statement, fn):
    if fn is None:
        return []
    return sorted((s for s in body_statements(fn) if s.end_lineno < statement.lineno), key=lambda s: -s.lineno)[:EARLIER]


def targets(request, sources):
    """The statements to visit, most suspicious first: each frame's own statement (a
    caller's frame is at its call), then the first frame's controls and definitions, the
    lines Ochiai ranked, the other frames' controls and definitions, and last the
    statements before each frame's in its function. Each with its site and why."""
    frames, alone = [], []
    for index, site in enumerate(request["sites"]):
        src = sources.get(site["file"])
        statement = src and src.statement_on(site["line"])
        if statement is not None:
            (alone if site.get("alone") else frames).append((index, site, src, statement, src.function_of(statement)))
    def around(frame):
        i, _, src, st, fn = frame
        return [(i, src, c, st, "control") for c in controls(st)] + [(i, src, d, st, "definition") for d in definitions(src, st, fn)]

    phases = [
        [(i, src, st, st, "frame") for i, _, src, st, _ in frames],
        around(frames[0]) if frames else [],
        [(j, src, st, st, "ranked") for j, _, src, st, _ in alone],
        [t for frame in frames[1:] for t in around(frame)],
        [(i, src, e, st, "earlier") for i, _, src, st, fn in frames for e in earlier(src, st, fn)],
    ]
    seen, out = set(), []
    for phase in phases:
        for index, src, target, failing, why in phase:
            key = (src.path, id(target))
            if key not in seen:
                seen.add(key)
                out.append((index, src, target, failing, why))
    return out


def interleave(lists):
    out = []
    for i in range(max((len(x) for x in lists), default=0)):
        out += [x[i] for x in lists if i < len(x)]
    return out


def safely(propose, src, target, ctx):
    """One template's fixes; one that fails on code it did not foresee costs its own fixes, not every other's."""
    try:
        return propose(src, target, ctx)
    except Exception as error:  # noqa: BLE001 - reported, and the rest go on
        sys.stderr.write(f"{getattr(propose, '__module__', '?')}: {type(error).__name__}: {error} at {ctx.site['file']}:{target.lineno}\n")
        return []


def proposals(src, target, ctx):
    """A statement's fixes by tier: the templates; the cheap families, two one-token
    changes to each replacement; the costly ones. Each family capped, families interleaved."""
    def run(families, cap=FAMILY_CAP):
        return interleave([safely(f.propose, src, target, ctx)[: getattr(f, "CAP", cap)] for f in families])
    token, replace = run(TOKEN), run(REPLACE)
    cheap = []
    while token or replace:
        cheap += token[:2] + replace[:1]
        token, replace = token[2:], replace[1:]
    return [("template", interleave([safely(t, src, target, ctx) for t in TEMPLATES])), ("cheap", cheap), ("costly", run(COSTLY, 4))]


def main():
    request = json.load(sys.stdin)
    error = request.get("error") or {}
    sources = {}
    for site in request["sites"]:
        path = site["file"]
        if path not in sources:
            try:
                sources[path] = Source(path, request["files"][path])
            except (SyntaxError, KeyError, ValueError):
                sources[path] = None
    fixes, visited = [], []
    for rank, (index, src, target, failing, why) in enumerate(targets(request, sources)):
        site = request["sites"][index]
        visited.append({"rank": rank, "site": index, "file": src.path, "line": target.lineno, "why": why})
        ctx = Context(src, target, site, error, failing)
        for tier, proposed in proposals(src, target, ctx):
            for fix in proposed:
                if src.compiles(apply(src.text, fix["edits"])):
                    fixes.append({"site": index, "rank": rank, "file": src.path, "line": target.lineno, "tier": tier, **fix})
    json.dump({"fixes": fixes, "targets": visited}, sys.stdout)


if __name__ == "__main__":
    main()
