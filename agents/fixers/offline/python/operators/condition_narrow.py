"""condition-narrow: a clause `x is not None and` / `x and` added before a condition, on a
variable it or the failing line reads; an `or` loses a side. Answers a condition that
holds too often, a loop whose exit is wrong. Never on an `if` that only raises: that
would silence the check, not repair the state; ranked last for the same reason."""

import ast

from .common import PREFER, fix, only_raises
from .conditions import clause_variables, conditions, drop_side, needs_parens, none_first

FAMILY, TIER = "condition-narrow", "costly"


def propose(src, statement, ctx):
    if only_raises(statement):
        return []
    out = []
    for condition in conditions(statement):
        start, end = src.span(condition)
        text = src.text_of(condition)
        for edit, kept in drop_side(src, condition, ast.Or):
            out.append(fix(FAMILY, ctx, condition, [edit], f"condition narrowed: `{text}` became `{kept}`", PREFER["silencing"]))
        for name in clause_variables(condition, ctx):
            clauses = [f"{name} is not None", name]
            for clause in clauses if none_first(ctx) else clauses[::-1]:
                if clause == text:
                    continue
                edit = {"start": start, "end": end, "text": f"{clause} and ({text})"} if needs_parens(condition, ast.And()) else {"start": start, "end": start, "text": f"{clause} and "}
                out.append(fix(FAMILY, ctx, condition, [edit], f"condition narrowed: `{clause} and` added before `{text}`", PREFER["silencing"]))
    return out
