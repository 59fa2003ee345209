"""What condition-widen, condition-narrow and negate share: the conditions a statement
owns, and the variables a clause may be about."""

import ast

from .common import own_nodes, reads


def conditions(statement):
    """The `if`'s or loop's condition, then the conditional expressions' tests."""
    out = [statement.test] if isinstance(statement, (ast.If, ast.While)) else []
    return out + [n.test for n in own_nodes(statement) if isinstance(n, ast.IfExp)]


def clause_variables(condition, ctx, limit=4):
    """Variables the condition reads, then those the failing line reads (a guard around it
    may lack a clause on them): locals and parameters too, each once."""
    names = [n.id for n in ast.walk(condition) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)] + ctx.failing_reads
    out = []
    for name in names:
        if name not in out and ctx.scope.kinds.get(name) == "var":
            out.append(name)
    return out[:limit]


def none_first(ctx):
    """Whether the error is about a None (then `is None` is the likelier clause, else an empty or zero value)."""
    return "NoneType" in (ctx.error.get("message") or "") or ctx.error.get("type") in ("AttributeError", "TypeError")


def needs_parens(node, inside):
    """Whether a condition must be parenthesized as an operand of `inside` (`and`/`or`)."""
    if isinstance(node, (ast.IfExp, ast.Lambda, ast.NamedExpr)):
        return True
    return isinstance(inside, ast.And) and isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or)


def drop_side(src, condition, op):
    """Each side of a two-sided `and`/`or` alone (one side dropped): the spans and texts."""
    if not (isinstance(condition, ast.BoolOp) and isinstance(condition.op, op) and len(condition.values) == 2):
        return []
    start, end = src.span(condition)
    return [({"start": start, "end": end, "text": src.text_of(v) if not isinstance(v, (ast.IfExp, ast.Lambda, ast.NamedExpr)) else f"({src.text_of(v)})"}, src.text_of(v)) for v in condition.values]


__all__ = ["conditions", "clause_variables", "none_first", "needs_parens", "drop_side", "reads"]
