"""update-assign: `x += y` (and the like) ↔ `x = y`, the latter only for a variable bound
before (an accumulator) and a value that does not read it. Answers an in-place update
where an assignment was meant, or the reverse."""

import ast

from pysource import operator_between
from .common import fix

FAMILY, TIER = "update-assign", "token"


def propose(src, statement, ctx):
    if isinstance(statement, ast.AugAssign):
        span = operator_between(src, statement.target, statement.value, r"[-+*/%@&|^<>]+=")
        if span:
            old = src.slice(*span)
            return [fix(FAMILY, ctx, statement, [{"start": span[0], "end": span[1], "text": "="}], f"update became an assignment: `{old}` became `=`")]
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
        name = statement.targets[0].id
        if name in ctx.scope.locals and name not in {n.id for n in ast.walk(statement.value) if isinstance(n, ast.Name)}:
            span = operator_between(src, statement.targets[0], statement.value, r"=")
            if span:
                return [fix(FAMILY, ctx, statement, [{"start": span[0], "end": span[1], "text": "+="}], f"assignment became an update: `=` became `+=` on `{name}`")]
    return []
