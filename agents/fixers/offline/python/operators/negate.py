"""negate: the condition of an `if`, a `while` or a conditional expression turned round
(`c` ↔ `not c`). Answers a condition the wrong way round; ranked last, since it can
silence a crash, and never on an `if` that only raises."""

import ast

from .common import PREFER, fix, only_raises
from .conditions import conditions

FAMILY, TIER = "negate", "costly"


def propose(src, statement, ctx):
    if only_raises(statement):
        return []
    out = []
    for condition in conditions(statement):
        start, end = src.span(condition)
        text = src.text_of(condition)
        if isinstance(condition, ast.UnaryOp) and isinstance(condition.op, ast.Not):
            inner, _ = src.span(condition.operand)
            edit, new = {"start": start, "end": inner, "text": ""}, src.text_of(condition.operand)
        elif isinstance(condition, (ast.BoolOp, ast.IfExp, ast.Lambda, ast.NamedExpr)):
            edit, new = {"start": start, "end": end, "text": f"not ({text})"}, f"not ({text})"
        else:
            edit, new = {"start": start, "end": start, "text": "not "}, f"not {text}"
        out.append(fix(FAMILY, ctx, condition, [edit], f"condition negated: `{text}` became `{new}`", PREFER["silencing"]))
    return out
