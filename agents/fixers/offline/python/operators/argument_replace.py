"""argument-replace: an argument replaced by the in-scope variable named as the callee's
parameter, one the file passes there elsewhere, `len(x)` of it, or another local.
Answers a call passing the wrong argument."""

import ast

from .common import PREFER, fix, own_nodes

FAMILY, TIER = "argument-replace", "replace"
PER_ARGUMENT = 4


def callee(node):
    return node.func.id if isinstance(node.func, ast.Name) else node.func.attr if isinstance(node.func, ast.Attribute) else None


def index_calls(src):
    """For each function of the file: its parameters, and the argument texts passed at each position."""
    if not hasattr(src, "_calls"):
        params, passed = {}, {}
        for node in ast.walk(src.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [a.arg for a in node.args.posonlyargs + node.args.args]
                params[node.name] = names[1:] if names[:1] in (["self"], ["cls"]) else names
            if isinstance(node, ast.Call) and callee(node):
                for i, arg in enumerate(node.args):
                    passed.setdefault((callee(node), i), []).append(arg)
        src._calls = params, passed
    return src._calls


def propose(src, statement, ctx):
    params, passed = index_calls(src)
    variables = ctx.scope.variables()
    out = []
    for node in own_nodes(statement):
        if not isinstance(node, ast.Call) or not callee(node):
            continue
        name = callee(node)
        for i, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred) or not isinstance(arg, (ast.Name, ast.Attribute, ast.Constant, ast.Subscript)):
                continue
            shown = src.text_of(arg)
            choices = []
            if name in params and i < len(params[name]) and params[name][i] in variables:
                choices.append(params[name][i])
            choices += [src.text_of(other) for other in passed.get((name, i), []) if isinstance(other, ast.Name) and other.id in variables]
            if isinstance(arg, ast.Name):
                if name != "len":
                    choices.append(f"len({shown})")
                choices += [v for v in variables[:6] if v in ctx.scope.locals]
            made = []
            for choice in choices:
                if choice != shown and choice not in made and len(made) < PER_ARGUMENT:
                    made.append(choice)
                    out.append(fix(FAMILY, ctx, arg, [dict(zip(("start", "end"), src.span(arg)), text=choice)], f"argument {i + 1} of `{name}(…)` replaced: `{shown}` became `{choice}`", PREFER["replace"]))
    return out
