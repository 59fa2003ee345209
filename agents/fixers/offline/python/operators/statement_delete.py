"""statement-delete: an expression statement, an update (`x += …`) or an `if` without
`else` removed; never an assignment, a `return` or a `raise`, nor an `if` that only
raises. Answers a stray statement; ranked last, since it can silence a crash."""

import ast

from .common import PREFER, fix, only_raises, siblings
from .statement_insert import alone_on_lines

FAMILY, TIER = "statement-delete", "costly"


def propose(src, statement, ctx):
    if isinstance(statement, ast.Expr):
        if isinstance(statement.value, ast.Constant):
            return []
    elif isinstance(statement, ast.If):
        if statement.orelse or only_raises(statement):
            return []
    elif not isinstance(statement, ast.AugAssign):
        return []
    alone, indent = alone_on_lines(src, statement)
    if not alone:
        return []
    parent = getattr(statement, "parent", None)
    around = siblings(statement)
    start, end = src.starts[statement.lineno - 1], src.starts[statement.end_lineno]
    # The only statement of its block leaves a `pass` behind.
    text = f"{indent}pass\n" if len(around) == 1 and not isinstance(parent, ast.Module) else ""
    if text and not src.lines[statement.end_lineno - 1].endswith(("\n", "\r")):
        text = text[:-1]
    return [fix(FAMILY, ctx, statement, [{"start": start, "end": end, "text": text}], f"statement at line {statement.lineno} deleted: `{src.lines[statement.lineno - 1].strip()}`", PREFER["silencing"])]
