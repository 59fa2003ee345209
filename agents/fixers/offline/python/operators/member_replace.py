"""member-replace: an attribute or method name replaced by one the file uses on the same
receiver (`math.floor` → `math.ceil`), then one alike in name used elsewhere; or the
method called on another in-scope receiver the file calls it on. Answers a member of the
wrong name or a method on the wrong receiver."""

import ast

from pysource import units
from .common import PREFER, fix, own_nodes, similar

FAMILY, TIER = "member-replace", "replace"
PER_MEMBER = 3


def index_members(src):
    if not hasattr(src, "_members"):
        by_receiver, receivers, every = {}, {}, []
        for node in ast.walk(src.tree):
            if isinstance(node, ast.Attribute):
                by_receiver.setdefault(ast.unparse(node.value), []).append(node.attr)
                if isinstance(node.value, ast.Name):
                    receivers.setdefault(node.attr, []).append(node.value.id)
                every.append(node.attr)
        src._members = by_receiver, receivers, every
    return src._members


def propose(src, statement, ctx):
    by_receiver, receivers, every = index_members(src)
    variables = ctx.scope.variables()
    out = []
    for node in own_nodes(statement):
        if not (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)):
            continue
        _, end = src.span(node)
        # The name's own span: after the dot (and any space around it).
        start = end - units(node.attr)
        same = by_receiver.get(ast.unparse(node.value), [])
        order = same + [a for a in every if similar(a, node.attr)]
        made = []
        for attr in order:
            if attr != node.attr and attr not in made and len(made) < PER_MEMBER:
                made.append(attr)
                out.append(fix(FAMILY, ctx, node, [{"start": start, "end": end, "text": attr}], f"member replaced: `.{node.attr}` became `.{attr}`", PREFER["replace"]))
        if isinstance(node.value, ast.Name) and ctx.scope.kinds.get(node.value.id) == "var" and isinstance(getattr(node, "parent", None), ast.Call):
            others = [r for r in receivers.get(node.attr, []) if r in variables] + [v for v in variables if v in ctx.scope.locals]
            moved = []
            for receiver in others:
                if receiver != node.value.id and receiver not in moved and len(moved) < 2:
                    moved.append(receiver)
                    out.append(fix(FAMILY, ctx, node, [dict(zip(("start", "end"), src.span(node.value)), text=receiver)], f"method `.{node.attr}` called on `{receiver}` instead of `{node.value.id}`", PREFER["replace"]))
    return out
