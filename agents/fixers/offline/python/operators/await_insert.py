"""await-insert: `await` before a call, in an `async def`, to an `async def` of the file;
not where the coroutine is passed on (an argument, a `return`). Answers a missing
`await` (a coroutine used as its value)."""

import ast

from .common import fix, own_nodes

FAMILY, TIER = "await-insert", "token"


def async_defs(src):
    if not hasattr(src, "_async"):
        src._async = {n.name for n in ast.walk(src.tree) if isinstance(n, ast.AsyncFunctionDef)}
    return src._async


def propose(src, statement, ctx):
    if not isinstance(ctx.fn, ast.AsyncFunctionDef):
        return []
    names = async_defs(src)
    out = []
    for node in own_nodes(statement):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr if isinstance(node.func, ast.Attribute) else None
        parent = getattr(node, "parent", None)
        if name not in names or isinstance(parent, (ast.Await, ast.Return, ast.keyword)) or (isinstance(parent, ast.Call) and node is not parent.func):
            continue
        start, end = src.span(node)
        tight = isinstance(parent, (ast.Attribute, ast.Subscript, ast.Call, ast.BinOp, ast.UnaryOp))
        edits = [{"start": start, "end": start, "text": "(await "}, {"start": end, "end": end, "text": ")"}] if tight else [{"start": start, "end": start, "text": "await "}]
        out.append(fix(FAMILY, ctx, node, edits, f"`await` added before `{src.text_of(node)}`"))
    return out
