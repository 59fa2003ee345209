"""call-brackets: a call written with brackets (`xs.append[x]`, `lst.pop[0]`,
`len[xs]`), which Python refuses: "'builtin_function_or_method' object is not
subscriptable". Each subscript of the statement whose value is a method (an attribute
read) or a function (a builtin, or a function the module defines) becomes a call with
the same arguments: `f[a]` -> `f(a)`, `f[a, b]` -> `f(a, b)`; a slice is no argument.
Only for that error (or its forms for a function, a method, a type). Answers the
bracket typo: Python alone raises it, JavaScript reads `undefined`."""

import ast
import builtins
import re

from .common import PREFER, fix, own_nodes, repeated

FAMILY, TIER = "call-brackets", "template"

NOT_SUBSCRIPTABLE = re.compile(r"'(builtin_function_or_method|function|method|method-wrapper|type)' object is not subscriptable")


def callable_value(node, ctx):
    """A method read off an object, a builtin function, or a function the module defines."""
    if isinstance(node, ast.Attribute):
        return True
    if isinstance(node, ast.Name):
        kind = ctx.scope.kinds.get(node.id)
        return kind == "function" or (kind is None and callable(getattr(builtins, node.id, None)))
    return False


def bracketed(node, ctx, src):
    """A subscript of a method or function, with what its brackets hold as arguments; None for anything else."""
    if not isinstance(node, ast.Subscript) or not isinstance(node.ctx, ast.Load) or not callable_value(node.value, ctx) or isinstance(node.slice, ast.Slice):
        return None
    items = node.slice.elts if isinstance(node.slice, ast.Tuple) and not src.text_of(node.slice).startswith("(") else [node.slice]
    return None if any(isinstance(i, ast.Slice) for i in items) else items


def propose(src, statement, ctx):
    if ctx.error.get("type") != "TypeError" or not NOT_SUBSCRIPTABLE.search(ctx.error.get("message") or ""):
        return []
    arguments = {}

    def slip(node):
        items = bracketed(node, ctx, src)
        if items is not None:
            arguments[node] = items
        return items is not None

    out = []
    for nodes in repeated(src, ctx, [n for n in own_nodes(statement) if slip(n)], slip):
        edits, shown = [], []
        for node in nodes:
            args = ", ".join(src.text_of(i) for i in arguments[node])
            callee = src.text_of(node.value)
            start, end = src.span(node)
            edits.append({"start": start, "end": end, "text": f"{callee}({args})"})
            shown.append(f"`{src.text_of(node)}` became `{callee}({args})`")
        # Nested ones (`f[g[x]]`) would be overlapping edits: no candidate is made of them.
        if not overlapping(edits):
            out.append(fix(FAMILY, ctx, nodes[0], edits, f"call written with brackets: {', '.join(shown)}", PREFER["token"]))
    return out


def overlapping(edits):
    spans = sorted((e["start"], e["end"]) for e in edits)
    return any(b[0] < a[1] for a, b in zip(spans, spans[1:]))
