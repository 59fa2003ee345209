"""unary: a `not` or `-` dropped, a `not` before one side of `and`/`or`, a `-` before a
number passed to a call. Answers a missing or extra negation or sign."""

import ast

from .common import fix, own_nodes, wrapped

FAMILY, TIER = "unary", "token"


def propose(src, statement, ctx):
    out = []
    for node in own_nodes(statement):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            sign = "not" if isinstance(node.op, ast.Not) else "-"
            start, _ = src.span(node)
            inner, _ = src.span(node.operand)
            out.append(fix(FAMILY, ctx, node, [{"start": start, "end": inner, "text": ""}], f"`{sign}` dropped before `{src.text_of(node.operand)}`"))
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                if not (isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not)) and not isinstance(value, ast.BoolOp):
                    start, end = src.span(value)
                    text = wrapped(src, value)
                    edit = {"start": start, "end": start, "text": "not "} if text == src.text_of(value) else {"start": start, "end": end, "text": f"not {text}"}
                    out.append(fix(FAMILY, ctx, value, [edit], f"`not` added before `{src.text_of(value)}`"))
        if isinstance(node, ast.Call):
            for arg in node.args:
                if isinstance(arg, ast.Constant) and type(arg.value) in (int, float) and arg.value != 0:
                    start, _ = src.span(arg)
                    out.append(fix(FAMILY, ctx, arg, [{"start": start, "end": start, "text": "-"}], f"`-` added before the argument `{src.text_of(arg)}`"))
    return out
