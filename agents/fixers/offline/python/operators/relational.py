"""relational: a comparison operator changed, strictness first (`<` ↔ `<=`), then its
opposite. Answers a wrong comparison on the line or on the loop or branch around it."""

import ast

from pysource import operator_between
from .common import fix, own_nodes

FAMILY, TIER = "relational", "token"

# Each operator: the regular expression of its token, its text, and what it may become (strictness first).
OPS = {
    ast.Lt: (r"<", "<", ["<=", ">"]),
    ast.LtE: (r"<=", "<=", ["<", ">="]),
    ast.Gt: (r">", ">", [">=", "<"]),
    ast.GtE: (r">=", ">=", [">", "<="]),
    ast.Eq: (r"==", "==", ["!="]),
    ast.NotEq: (r"!=", "!=", ["=="]),
    ast.Is: (r"\bis\b", "is", ["is not"]),
    ast.IsNot: (r"\bis\s+not\b", "is not", ["is"]),
    ast.In: (r"\bin\b", "in", ["not in"]),
    ast.NotIn: (r"\bnot\s+in\b", "not in", ["in"]),
}


def propose(src, statement, ctx):
    out = []
    for node in own_nodes(statement):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left] + node.comparators
        for i, op in enumerate(node.ops):
            pattern, shown, alternatives = OPS[type(op)]
            span = operator_between(src, operands[i], operands[i + 1], pattern)
            if span is None:
                continue
            for new in alternatives:
                out.append(fix(FAMILY, ctx, node, [{"start": span[0], "end": span[1], "text": new}], f"comparison changed: `{shown}` became `{new}`"))
    return out
