"""arithmetic: an arithmetic operator changed (`+` ↔ `-`, `*` ↔ `/`, `/` ↔ `//`), or a
bitwise one (`&` ↔ `|` ↔ `^`, `<<` ↔ `>>`: the slips of bit manipulation and of set
union for intersection), also in `+=` and the like; never a `+` of strings. Answers a
wrong arithmetic operator."""

import ast

from pysource import operator_between
from .common import fix, own_nodes

FAMILY, TIER = "arithmetic", "token"

OPS = {
    ast.Add: (r"\+", "+", ["-"]),
    ast.Sub: (r"-", "-", ["+"]),
    ast.Mult: (r"\*", "*", ["/", "//"]),
    ast.Div: (r"/", "/", ["*", "//"]),
    ast.FloorDiv: (r"//", "//", ["/", "*"]),
    ast.Mod: (r"%", "%", ["//"]),
    ast.BitAnd: (r"&", "&", ["|", "^"]),
    ast.BitOr: (r"\|", "|", ["&", "^"]),
    ast.BitXor: (r"\^", "^", ["&", "|"]),
    ast.LShift: (r"<<", "<<", [">>"]),
    ast.RShift: (r">>", ">>", ["<<"]),
}


def stringy(node):
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))


def propose(src, statement, ctx):
    out = []
    for node in own_nodes(statement):
        if isinstance(node, ast.BinOp) and type(node.op) in OPS:
            left, right, suffix = node.left, node.right, ""
        elif isinstance(node, ast.AugAssign) and type(node.op) in OPS:
            left, right, suffix = node.target, node.value, "="
        else:
            continue
        if stringy(left) or stringy(right) or isinstance(node.op, ast.Mod) and stringy(left):
            continue
        pattern, shown, alternatives = OPS[type(node.op)]
        span = operator_between(src, left, right, pattern + suffix)
        if span is None:
            continue
        for new in alternatives:
            out.append(fix(FAMILY, ctx, node, [{"start": span[0], "end": span[1], "text": new + suffix}], f"operator changed: `{shown}{suffix}` became `{new}{suffix}`"))
    return out
