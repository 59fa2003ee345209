"""statement-move: statements at the wrong depth of a loop, the indentation slip. The
last statements of a loop's body moved out, to run once after it (`lst.remove(old)`
meant once a pass of the outer loop, run once an item); or the statement right after a
loop moved in, to run on every pass (a counter's step left after its `while`). At a
statement in a loop's body, it and those after it move out; at a loop, each tail of its
body (the shortest first) moves out and the next statement moves in. Costly: it changes
how often a statement runs, not a token."""

import ast

from .common import PREFER, fix, siblings

FAMILY, TIER = "statement-move", "costly"
LOOPS = (ast.For, ast.AsyncFor, ast.While)
TAILS = 3
# What can run at a loop's depth or the one around it alike: not a `break` or `continue`
# (their meaning changes with the loop), not a definition.
MOVABLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.If, ast.For, ast.AsyncFor, ast.While, ast.Delete)


def propose(src, statement, ctx):
    parent = getattr(statement, "parent", None)
    out = []
    if isinstance(statement, LOOPS):
        body = statement.body
        for k in range(len(body) - 1, max(0, len(body) - 1 - TAILS), -1):
            out += move_out(src, ctx, statement, body[k:])
        out += move_in(src, ctx, statement)
    elif isinstance(parent, LOOPS) and statement in parent.body:
        k = parent.body.index(statement)
        if k > 0:
            out += move_out(src, ctx, parent, parent.body[k:])
    return out


def indents(src, loop):
    """The loop header's indent and the extra one its body has, when both are plain and on their own lines."""
    own, outer = src.own_line(loop)
    first = loop.body[0]
    if not own or first.lineno == loop.lineno:
        return None
    inner = src.own_line(first)[1]
    if not inner.startswith(outer) or inner == outer:
        return None
    return outer, inner[len(outer) :]


def movable(statements):
    return all(isinstance(s, MOVABLE) for s in statements) and not any(isinstance(n, (ast.Break, ast.Continue, ast.Yield, ast.YieldFrom)) for s in statements for n in ast.walk(s))


def progresses(loop, body):
    """Whether the statements left in a `while` can still change what its condition reads: without it, the move makes a hang."""
    names = {n.id for n in ast.walk(loop.test) if isinstance(n, ast.Name)}
    for node in (n for s in body for n in ast.walk(s)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in names:
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id in names:
            return True
    return False


def shifted(src, first, last, change):
    """The whole lines `first`..`last` with `change` applied to each that holds code, or None when one cannot take it."""
    out = []
    for raw in src.lines[first - 1 : last]:
        if raw.strip() == "":
            out.append(raw)
            continue
        line = change(raw)
        if line is None:
            return None
        out.append(line)
    return "".join(out)


def move_out(src, ctx, loop, tail):
    """The loop's last statements dedented: they follow it, at its own depth. The loop's `else` would come between, so not with one."""
    found = indents(src, loop)
    if found is None or loop.orelse or not movable(tail) or tail[-1] is not loop.body[-1]:
        return []
    if isinstance(loop, ast.While) and not progresses(loop, loop.body[: len(loop.body) - len(tail)]):
        return []
    outer, extra = found
    depth = outer + extra
    text = shifted(src, tail[0].lineno, loop.end_lineno, lambda raw: raw[len(extra) :] if raw.startswith(depth) else None)
    if text is None:
        return []
    start, end = src.starts[tail[0].lineno - 1], src.starts[loop.end_lineno]
    what = f"line {tail[0].lineno}" if len(tail) == 1 and tail[0].lineno == tail[0].end_lineno else f"lines {tail[0].lineno}–{loop.end_lineno}"
    return [fix(FAMILY, ctx, tail[0], [{"start": start, "end": end, "text": text}], f"{what} moved out of the loop at line {loop.lineno}, to run once after it", PREFER["insert"])]


def move_in(src, ctx, loop):
    """The statement right after the loop indented into its body's end."""
    around = siblings(loop)
    at = around.index(loop) if loop in around else -1
    found = indents(src, loop)
    if found is None or loop.orelse or at < 0 or at + 1 >= len(around):
        return []
    follower = around[at + 1]
    if not isinstance(follower, (ast.Expr, ast.Assign, ast.AugAssign)) or not movable([follower]) or not src.own_line(follower)[0]:
        return []
    outer, extra = found
    text = shifted(src, follower.lineno, follower.end_lineno, lambda raw: extra + raw if raw.startswith(outer) else None)
    if text is None:
        return []
    start, end = src.starts[follower.lineno - 1], src.starts[follower.end_lineno]
    return [fix(FAMILY, ctx, follower, [{"start": start, "end": end, "text": text}], f"line {follower.lineno} moved into the loop at line {loop.lineno}, to run on every pass", PREFER["insert"])]
