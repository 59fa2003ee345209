"""condition-widen: a clause `x is None or` / `not x or` added before a condition, on a
variable the condition or the failing line reads (locals included); an `and` loses a
side. Answers a guard missing a clause (`if not items:` where `items is None` too)."""

import ast

from .common import PREFER, fix
from .conditions import clause_variables, conditions, drop_side, needs_parens, none_first

FAMILY, TIER = "condition-widen", "replace"


def propose(src, statement, ctx):
    out = []
    for condition in conditions(statement):
        start, end = src.span(condition)
        text = src.text_of(condition)
        for edit, kept in drop_side(src, condition, ast.And):
            out.append(fix(FAMILY, ctx, condition, [edit], f"condition widened: `{text}` became `{kept}`", PREFER["replace"]))
        for name in clause_variables(condition, ctx):
            clauses = [f"{name} is None", f"not {name}"]
            for clause in clauses if none_first(ctx) else clauses[::-1]:
                if clause == text:
                    continue
                edit = {"start": start, "end": end, "text": f"{clause} or ({text})"} if needs_parens(condition, ast.Or()) else {"start": start, "end": start, "text": f"{clause} or "}
                out.append(fix(FAMILY, ctx, condition, [edit], f"condition widened: `{clause} or` added before `{text}`", PREFER["replace"]))
    return out
