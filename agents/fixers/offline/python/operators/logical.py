"""logical: `and` ↔ `or`, and `a or b` where `a` may be 0 or '' (a value, not a missing
one) becomes `a if a is not None else b`. Answers a wrong logical operator."""

import ast

from pysource import operator_between
from .common import PREFER, fix, own_nodes, wrapped

FAMILY, TIER = "logical", "token"


def propose(src, statement, ctx):
    out = []
    for node in own_nodes(statement):
        if not isinstance(node, ast.BoolOp):
            continue
        old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
        edits = []
        for left, right in zip(node.values, node.values[1:]):
            span = operator_between(src, left, right, rf"\b{old}\b")
            if span:
                edits.append({"start": span[0], "end": span[1], "text": new})
        # Every token of the chain: one alone would regroup the chain (`and` binds tighter).
        if edits and (len(node.values) == 2 or not any(isinstance(v, ast.BoolOp) for v in node.values)):
            out.append(fix(FAMILY, ctx, node, edits, f"logical operator changed: `{old}` became `{new}`"))
        if isinstance(node.op, ast.Or) and len(node.values) == 2 and isinstance(node.values[0], (ast.Name, ast.Attribute, ast.Subscript)):
            a, b = src.text_of(node.values[0]), wrapped(src, node.values[1])
            start, end = src.span(node)
            out.append(fix(FAMILY, ctx, node, [{"start": start, "end": end, "text": f"({a} if {a} is not None else {b})"}],
                           f"`{a} or …` replaced 0 and '' as well as None; now only None takes the default", PREFER["replace"]))
    return out
