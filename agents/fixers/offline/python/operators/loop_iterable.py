"""loop-iterable: a `for` loop over the wrong kind of thing for what it unpacks or
counts, the slips Python names at the loop's header:

- `range(xs)` over a sequence ("'list' object cannot be interpreted as an integer"):
  `range(len(xs))` (its indices) or `xs` (its items);
- `for i in len(xs)` or `for i in n` ("'int' object is not iterable"): `range(len(xs))`,
  `range(n)`;
- `for i, x in xs` unpacking items that are no pairs ("cannot unpack non-iterable int
  object", "not enough values to unpack", "too many values to unpack"):
  `enumerate(xs)` (index and item) or `xs.items()` (a dict's keys and values).

Only the header of the loop the error points at, or of the loops around it.
Answers the loop written over the wrong iterable.
"""

import ast
import re

from .common import PREFER, around, fix

FAMILY, TIER = "loop-iterable", "template"

NOT_INTEGER = re.compile(r"'(\w+)' object cannot be interpreted as an integer")
INT_NOT_ITERABLE = re.compile(r"'int' object is not iterable")
UNPACK = re.compile(r"cannot unpack non-iterable|not enough values to unpack|too many values to unpack")


def loops(statement):
    """The loop whose header is the statement, or the loops around it, nearest first."""
    return [at for at in around(statement, (ast.For, ast.AsyncFor)) if at is statement or statement.lineno > at.lineno]


def changes(src, loop, message):
    """(new iterable text, what) pairs for one loop."""
    it, text = loop.iter, src.text_of(loop.iter)
    ranged = isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and len(it.args) == 1 and not it.keywords
    counted = ranged and isinstance(it.args[0], ast.Call) and isinstance(it.args[0].func, ast.Name) and it.args[0].func.id == "len"
    if NOT_INTEGER.search(message) and ranged and not counted:
        inner = src.text_of(it.args[0])
        return [(f"range(len({inner}))", "its indices"), (inner, "its items")]
    if INT_NOT_ITERABLE.search(message) and isinstance(it, (ast.Call, ast.Name, ast.Attribute, ast.BinOp)) and not ranged:
        return [(f"range({text})", "a count")]
    pair = isinstance(loop.target, ast.Tuple) and len(loop.target.elts) == 2
    if UNPACK.search(message) and pair and not (isinstance(it, ast.Call) and isinstance(it.func, (ast.Name, ast.Attribute))):
        return [(f"enumerate({text})", "index and item"), (f"{text}.items()", "key and value")]
    return []


def propose(src, statement, ctx):
    if ctx.error.get("type") not in ("TypeError", "ValueError"):
        return []
    out = []
    for loop in loops(statement):
        start, end = src.span(loop.iter)
        for new, what in changes(src, loop, ctx.error.get("message") or ""):
            out.append(fix(FAMILY, ctx, loop, [{"start": start, "end": end, "text": new}], f"loop over the wrong iterable: `{src.text_of(loop.iter)}` became `{new}` ({what})", PREFER["token"]))
    return out
