"""quoted-name: a name written as a string by mistake, `table["key"]` where `table[key]`
was meant. A text literal of the statement that spells a variable in scope becomes the
variable when that variable is read nowhere in the function (a parameter or a local
that has no other use: the literal is where its one use went), or when the error is a
KeyError naming the literal. Anything else a literal spelling a name is left alone: a
key that happens to match a variable's name is common and right. Answers a name
quoted by mistake.
"""

import ast

from .common import PREFER, fix, own_nodes

FAMILY, TIER = "quoted-name", "replace"


def unread(fn):
    """The function's parameters and locals that nothing in it reads."""
    args = fn.args
    bound = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs + [x for x in (args.vararg, args.kwarg) if x]}
    loaded = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
    return bound - loaded - {"self", "cls"}


def propose(src, statement, ctx):
    if ctx.fn is None:
        return []
    idle = unread(ctx.fn)
    missing_key = (ctx.error.get("message") or "").strip("'\"") if ctx.error.get("type") == "KeyError" else None
    out = []
    for node in own_nodes(statement):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier()):
            continue
        name = node.value
        if ctx.scope.kinds.get(name) != "var" or name not in ctx.scope.locals or not (name in idle or name == missing_key):
            continue
        out.append(fix(FAMILY, ctx, node, [dict(zip(("start", "end"), src.span(node)), text=name)], f"name quoted by mistake: `{src.text_of(node)}` became `{name}`", PREFER["replace"]))
    return out
