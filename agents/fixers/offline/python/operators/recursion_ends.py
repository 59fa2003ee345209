"""recursion-ends: a recursion that never reaches its end (a RecursionError). Two slips
make one, each a classic of recursive code written by hand:

- the recursive call does not step towards the base case by the right amount. An
  argument that moves (it is not the parameter of its place passed through: `mid`,
  `n - 2`) is one off: `mid + 1`, `mid - 1`, `n - 3`, `n - 1`. When every argument
  passes its parameter through unchanged (`f(n)` where `f(n - 1)` was meant, `f(xs)`
  where `f(xs[1:])` was), each is stepped: `n - 1`, `n + 1`, `xs[1:]`;
- the base case tests for equality with a number a parameter the recursion steps past (`if n == 1`
  and a call with 0; `n == 0` stepping by 2): the equality becomes an inequality
  towards where the recursion goes, `<=` for a call that steps down first.

Only for that error, at the calls of the enclosing function on the statement the stack
points at (`f(…)`, or `self.f(…)` in a method), and at the `if`s of that function whose
body returns without recursing.
"""

import ast

from .common import PREFER, body_statements, fix, replace, wrapped
from .off_by_one import variants

FAMILY, TIER = "recursion-ends", "template"


def recursive_calls(node, fn):
    """The calls of `fn` itself in a node."""
    out = []
    for n in ast.walk(node):
        if not isinstance(n, ast.Call):
            continue
        f = n.func
        if (isinstance(f, ast.Name) and f.id == fn.name) or (isinstance(f, ast.Attribute) and f.attr == fn.name and isinstance(f.value, ast.Name) and f.value.id in ("self", "cls")):
            out.append(n)
    return out


def params(fn, call):
    names = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    return names[1:] if isinstance(call.func, ast.Attribute) and names[:1] in (["self"], ["cls"]) else names


def direction(arg, param):
    """-1 when the argument steps its parameter down (`n - 1`, `n // 2`), 1 up, 0 unknown."""
    if isinstance(arg, ast.BinOp) and isinstance(arg.left, ast.Name) and arg.left.id == param:
        return 1 if isinstance(arg.op, ast.Add) else -1 if isinstance(arg.op, (ast.Sub, ast.FloorDiv, ast.Div, ast.RShift)) else 0
    return 0


def stepped(src, arg):
    """The argument one more and one less, as off-by-one writes them; a plain one (`mid`, passed where `mid + 1` was meant) one more first."""
    pairs = variants(src, arg)
    constant_step = isinstance(arg, ast.BinOp) and isinstance(arg.op, (ast.Add, ast.Sub)) and isinstance(arg.right, ast.Constant)
    return pairs if constant_step else pairs[::-1]


def arguments(fn, call):
    """The call's positional arguments with the parameter each fills, and those that move (are not that parameter passed through)."""
    names = params(fn, call)
    pairs = [(a, names[i] if i < len(names) else None) for i, a in enumerate(call.args) if not isinstance(a, ast.Starred)]
    return pairs, [(a, p) for a, p in pairs if not (isinstance(a, ast.Name) and a.id == p)]


def steps(src, ctx, call):
    pairs, moving = arguments(ctx.fn, call)
    out = []
    for arg, param in moving:
        # A step taken back to the parameter itself would pass it through: no step at all.
        for edit, shown in (v for v in stepped(src, arg) if v[1] != param):
            out.append(fix(FAMILY, ctx, call, [edit], f"recursion that never ends: the step `{src.text_of(arg)}` became `{shown}` in `{ctx.fn.name}(…)`"))
    if not moving:
        for arg, _ in pairs:
            for text in (f"{arg.id} - 1", f"{arg.id} + 1", f"{arg.id}[1:]"):
                out.append(fix(FAMILY, ctx, call, [replace(src, arg, text)], f"recursion on the same input: `{arg.id}` became `{text}` in `{ctx.fn.name}(…)`"))
    return out, sum(direction(a, p) for a, p in moving)


def ordered(node):
    """Whether a side of `==` may be a number: not a collection, a string, None or a bool."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.JoinedStr)):
        return False
    return not isinstance(node, ast.Constant) or type(node.value) in (int, float)


def bases(src, ctx, way):
    """The base cases that test a parameter for equality, widened towards where the recursion goes."""
    # Only a parameter the recursion moves can be stepped past; one every call passes through is no base case's.
    moved = {p for call in recursive_calls(ctx.fn, ctx.fn) for _, p in arguments(ctx.fn, call)[1] if p}
    names = moved or {a.arg for a in ctx.fn.args.posonlyargs + ctx.fn.args.args}
    out = []
    for statement in body_statements(ctx.fn):
        if not isinstance(statement, ast.If) or recursive_calls(statement, ctx.fn) or not any(isinstance(s, ast.Return) for s in statement.body):
            continue
        test = statement.test
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
            continue
        left, right = test.left, test.comparators[0]
        if not any(isinstance(side, ast.Name) and side.id in names for side in (left, right)) or not all(ordered(side) for side in (left, right)):
            continue
        # Towards where the recursion goes: `n <= 1` for one that steps n down (or by an unknown step), `n >= k` for one that steps up.
        on_left = isinstance(left, ast.Name) and left.id in names
        for op in [">=", "<="] if way > 0 else ["<=", ">="]:
            shown = op if on_left else {"<=": ">=", ">=": "<="}[op]
            text = f"{wrapped(src, left)} {shown} {wrapped(src, right)}"
            out.append(fix(FAMILY, ctx, statement, [replace(src, test, text)], f"base case that the recursion steps past: `{src.text_of(test)}` became `{text}`", PREFER["token"]))
    return out


def propose(src, statement, ctx):
    if ctx.error.get("type") != "RecursionError" or ctx.fn is None or not recursive_calls(ctx.fn, ctx.fn):
        return []
    out, way = [], 0
    for call in recursive_calls(statement, ctx.fn):
        found, d = steps(src, ctx, call)
        out += found
        way += d
    return out + bases(src, ctx, way)
