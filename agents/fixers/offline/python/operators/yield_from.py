"""yield-from: `yield x` → `yield from x` in a generator (not an async one, where
`yield from` is no syntax). Answers a generator that yields an iterable whole where it
should yield its items."""

import ast

from .common import fix, own_nodes

FAMILY, TIER = "yield-from", "token"


def propose(src, statement, ctx):
    if isinstance(ctx.fn, ast.AsyncFunctionDef):
        return []
    out = []
    for node in own_nodes(statement):
        if isinstance(node, ast.Yield) and node.value is not None and not (isinstance(node.value, ast.Constant) and not isinstance(node.value.value, (str, bytes))):
            start, _ = src.span(node)
            inner, _ = src.span(node.value)
            out.append(fix(FAMILY, ctx, node, [{"start": start, "end": inner, "text": "yield from "}], f"`yield {src.text_of(node.value)}` became `yield from {src.text_of(node.value)}`"))
    return out
