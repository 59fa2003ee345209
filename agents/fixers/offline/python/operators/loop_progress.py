"""loop-progress: a `while` loop that never gets nearer its end, the commonest cause of
a hang: the variable its condition compares is never updated in the body (`i += 1`
left out), or only by itself or by nothing (`position += position` from 0,
`n -= 0`). Only for a call that hung (Timeout), at the `while` loops around the
statement the hang's stack points at, nearest first, and only for a variable the
function sets before the loop (a parameter is the input, not a counter: stepping it
would change its every other use). The update steps the variable
towards the bound: `+= 1` where the condition is `v < …` or `… > v`, `-= 1` where it
is `v > …`; it goes at the end of the loop's body, or replaces the update that does
not move. Answers the loop whose counter never moves.
"""

import ast

from .common import PREFER, around, body_statements, fix, line_after, loop_nodes, stored

FAMILY, TIER = "loop-progress", "template"

UP, DOWN = (ast.Lt, ast.LtE), (ast.Gt, ast.GtE)


def compared(test):
    """The variables a condition compares with a bound, and the way each must go to end the loop: +1 or -1."""
    out = []
    for node in ast.walk(test):
        if not isinstance(node, ast.Compare) or len(node.ops) != 1:
            continue
        left, op, right = node.left, node.ops[0], node.comparators[0]
        if isinstance(left, ast.Name) and isinstance(op, UP + DOWN):
            out.append((left.id, 1 if isinstance(op, UP) else -1))
        elif isinstance(right, ast.Name) and isinstance(op, UP + DOWN):
            out.append((right.id, -1 if isinstance(op, UP) else 1))
    return list(dict.fromkeys(out))


def updates(loop, name):
    """The statements of the loop's body (nested loops included, nested defs not) that set `name`."""
    out = []
    for node in loop_nodes(loop):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For)) else []
        if any(isinstance(n, ast.Name) and n.id == name for t in targets for n in ast.walk(t)):
            out.append(node)
    return out


def still(update, name):
    """An update that leaves the variable where it was, or only doubles it: `v += v`, `v += 0`, `v = v`."""
    if isinstance(update, ast.AugAssign) and isinstance(update.op, (ast.Add, ast.Sub)):
        value = update.value
        return (isinstance(value, ast.Name) and value.id == name) or (isinstance(value, ast.Constant) and value.value == 0)
    return isinstance(update, ast.Assign) and isinstance(update.value, ast.Name) and update.value.id == name


def counters(fn, loop):
    """Variables the function sets before the loop and takes from no parameter: a counter is
    the loop's own. Stepping a parameter (`while n < x` where `power` was meant) would change
    every other use of the input."""
    if fn is None:
        return set()
    args = fn.args
    params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs + [x for x in (args.vararg, args.kwarg) if x]}
    before = [s for s in body_statements(fn) if s.lineno < loop.lineno]
    return {name for s in before for name, kind in stored(s) if kind == "var"} - params


def propose(src, statement, ctx):
    if ctx.error.get("type") != "Timeout":
        return []
    out = []
    for loop in around(statement, ast.While)[:2]:
        first = loop.body[0]
        own, indent = src.own_line(first)
        mine = counters(ctx.fn, loop)
        for name, step in [(n, s) for n, s in compared(loop.test) if n in mine]:
            text = f"{name} {'+=' if step > 0 else '-='} 1"
            found = updates(loop, name)
            if not found and own:
                out.append(fix(FAMILY, ctx, loop, [line_after(src, loop.body[-1].end_lineno, indent, text)], f"loop whose `{name}` never moves: `{text}` added at the end of its body", PREFER["insert"]))
            for update in (u for u in found if still(u, name)):
                out.append(fix(FAMILY, ctx, update, [dict(zip(("start", "end"), src.span(update)), text=text)], f"loop whose `{name}` never moves: `{src.text_of(update)}` became `{text}`", PREFER["token"]))
    return out
