"""call-missing: a function or method named where its result was meant, so Python
gets the function itself: `for d in days:` for `days(month, data)`, `len(d.keys)`,
`for k, v in d.items:`. The error names the function's type ("'function' object is
not iterable", "object of type 'method' has no len()", "unsupported operand type(s)
for +: 'function' and 'int'"). Each such name of the statement becomes a call: a
function the module defines gets its parameters from the variables in scope that
bear their names (every parameter without a default must find one), a method gets
no arguments. Answers the missing call brackets; `call-brackets` answers the wrong ones.
"""

import ast
import re

from .common import PREFER, fix, own_nodes

FAMILY, TIER = "call-missing", "template"

FUNCTION_VALUE = re.compile(r"'(function|method|builtin_function_or_method)'")


def defined(src, name):
    """The module's function of that name, if exactly one."""
    found = [n for n in src.tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name]
    return found[0] if len(found) == 1 else None


def arguments(fn, ctx):
    """The call's argument text from variables named as the parameters, or None when a required one has no namesake."""
    args = fn.args
    if args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg:
        return None
    required = len(args.args) - len(args.defaults)
    names = []
    for i, a in enumerate(args.args):
        if a.arg in ("self", "cls") and i == 0:
            return None
        if ctx.scope.kinds.get(a.arg) == "var":
            names.append(a.arg)
        elif i < required:
            return None
        else:
            break
    return ", ".join(names)


def uncalled(node):
    """A name or attribute read as a value: not called, not assigned, not itself the callee."""
    parent = getattr(node, "parent", None)
    if not isinstance(node, (ast.Name, ast.Attribute)) or not isinstance(node.ctx, ast.Load):
        return False
    if isinstance(parent, ast.Call) and parent.func is node:
        return False
    return not (isinstance(parent, ast.Attribute) and parent.value is node)


def propose(src, statement, ctx):
    if ctx.error.get("type") != "TypeError" or not FUNCTION_VALUE.search(ctx.error.get("message") or ""):
        return []
    out = []
    for node in (n for n in own_nodes(statement) if uncalled(n)):
        if isinstance(node, ast.Name):
            fn = defined(src, node.id) if ctx.scope.kinds.get(node.id) == "function" else None
            text = arguments(fn, ctx) if fn is not None else None
        else:
            text = ""
        if text is None:
            continue
        start, end = src.span(node)
        call = f"{src.text_of(node)}({text})"
        out.append(fix(FAMILY, ctx, node, [{"start": start, "end": end, "text": call}], f"function named where its result was meant: `{src.text_of(node)}` became `{call}`", PREFER["token"]))
    return out
