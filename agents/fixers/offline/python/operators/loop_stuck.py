"""loop-stuck: a `while` loop whose condition reads nothing its body changes, so a call
that enters it can never leave. Two slips make one, each common in loops written by hand:

- the body walks a sequence with a counter, but the condition reads the sequence whole
  (`while not is_palindrome(s): i += 1` where `s[i:]` was meant, `while xs[0] != x`
  where `xs[i]` was): the sequence is read through the counter, as `s[i:]` or, at a
  constant index, `xs[i]`;
- the condition tests a collection the body takes items from but never removes
  (`while todo: x = max(todo); out.append(x)`): the item the body took is removed
  (`todo.remove(x)`, at the end of the body for an item it assigned, right after the
  statement that used it for the items of an inner `for` over the collection), or,
  when the body takes no item of its own, the collection is popped at the end of the
  body (`todo.pop()`, `todo.pop(0)`).

Only for a call that hung (Timeout), at the two `while` loops nearest the statement the
stack points at, and only where no `break`, `return` or `raise` leaves the loop (then the
condition is not its only way out). Complements loop-progress, which answers a counter that the
condition compares but the body never moves.
"""

import ast

from .common import PREFER, around, fix, line_after, loop_nodes, replace, stored

FAMILY, TIER = "loop-stuck", "template"


def changed(nodes):
    """Names the body may change: those it binds, deletes or stores into, and every receiver of a method it calls."""
    out = set()
    for node in nodes:
        if isinstance(node, ast.stmt):
            out |= {name for name, _ in stored(node)}
        if isinstance(node, ast.Delete):
            out |= {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        if isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del)) and isinstance(node.value, ast.Name):
            out.add(node.value.id)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            out.add(node.func.value.id)
    return out


def condition_reads(test):
    """The variables the condition reads, functions it calls aside."""
    called = {id(n.func) for n in ast.walk(test) if isinstance(n, ast.Call)}
    return [n for n in ast.walk(test) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and id(n) not in called]


def counters(nodes):
    """Names the body steps: `i += k`, `i -= k`, `i = i + k`, `i = i - k`."""
    out = []
    for node in nodes:
        if isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub)) and isinstance(node.target, ast.Name):
            out.append(node.target.id)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.BinOp):
            left = node.value.left
            if isinstance(node.value.op, (ast.Add, ast.Sub)) and isinstance(left, ast.Name) and left.id == node.targets[0].id:
                out.append(left.id)
    return list(dict.fromkeys(out))


def tested(name_node):
    """Whether the condition tests the name as a collection: alone, `len(xs) > 0`, `xs != []`."""
    parent = getattr(name_node, "parent", None)
    if isinstance(parent, (ast.While, ast.BoolOp)):
        return True
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "len":
        return isinstance(getattr(parent, "parent", None), ast.Compare)
    if isinstance(parent, ast.Compare):
        return any(isinstance(c, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and not getattr(c, "elts", getattr(c, "keys", [])) for c in [parent.left, *parent.comparators])
    return False


def views(src, ctx, loop, reads, steps):
    """The sequence read through the counter the body steps."""
    out = []
    for node in reads:
        for step in (s for s in steps if s != node.id):
            parent = getattr(node, "parent", None)
            if isinstance(parent, ast.Subscript) and parent.value is node:
                index = parent.slice
                if isinstance(index, ast.Constant) and isinstance(index.value, int):
                    out.append(fix(FAMILY, ctx, loop, [replace(src, index, step)], f"loop whose condition reads `{src.text_of(parent)}` while the body steps `{step}`: `{src.text_of(index)}` became `{step}`"))
            elif not isinstance(parent, ast.Compare) and not tested(node):
                text = f"{node.id}[{step}:]"
                out.append(fix(FAMILY, ctx, loop, [replace(src, node, text)], f"loop whose condition reads `{node.id}` whole while the body steps `{step}`: `{node.id}` became `{text}`"))
    return out


def taken(nodes, name):
    """Statements that take an item of the collection: `(statement, item, after_statement)`;
    after_statement is false for an assignment (its removal goes at the end of the body)."""
    out = []
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and node.targets[0].id != name:
            if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.value)):
                out.append((node, node.targets[0].id, False))
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Name) and node.iter.id == name and isinstance(node.target, ast.Name):
            item = node.target.id
            for inner in (n for s in node.body for n in ast.walk(s) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)):
                if any(isinstance(a, ast.Name) and a.id == item for a in inner.value.args):
                    out.append((inner, item, True))
    return out


def shrinks(src, ctx, loop, name, nodes):
    """The item the body took removed from the collection, or the collection popped."""
    own, indent = src.own_line(loop.body[0])
    if not own:
        return []
    last = loop.body[-1].end_lineno
    out = []
    for statement, item, after in taken(nodes, name):
        text = f"{name}.remove({item})"
        if after:
            here, its_indent = src.own_line(statement)
            if here:
                out.append(fix(FAMILY, ctx, statement, [line_after(src, statement.end_lineno, its_indent, text)], f"loop on `{name}` that never removes the item it used: `{text}` added", PREFER["insert"]))
        else:
            out.append(fix(FAMILY, ctx, loop, [line_after(src, last, indent, text)], f"loop on `{name}` that never removes the item it took: `{text}` added at the end of its body", PREFER["insert"]))
    if not out:
        for text in (f"{name}.pop()", f"{name}.pop(0)"):
            out.append(fix(FAMILY, ctx, loop, [line_after(src, last, indent, text)], f"loop on `{name}` that never takes anything off it: `{text}` added at the end of its body", PREFER["insert"]))
    return out


def propose(src, statement, ctx):
    if ctx.error.get("type") != "Timeout":
        return []
    out = []
    for loop in around(statement, ast.While)[:2]:
        nodes = loop_nodes(loop)
        if any(isinstance(n, (ast.Return, ast.Raise)) or (isinstance(n, ast.Break) and around(n, (ast.While, ast.For, ast.AsyncFor))[0] is loop) for n in nodes):
            continue
        reads = condition_reads(loop.test)
        if not reads or {n.id for n in reads} & changed(nodes):
            continue
        out += views(src, ctx, loop, reads, counters(nodes))
        for name in dict.fromkeys(n.id for n in reads if tested(n)):
            out += shrinks(src, ctx, loop, name, nodes)
    return out
