"""initialise: a local variable read on a path where nothing assigned it (UnboundLocalError)
gets a value before the code that assigns it: a counter that only a loop sets, the best
item of an argmax loop that only its branch sets, a loop's index read after a loop that
ran zero times, a value read before the line that computes it. Answers the missing
initialisation, the commonest cause of that error.

The statement goes before the first of the two (the assignment's or the read's
statement) in the innermost block that holds both, so it runs once per pass of what
encloses them both, never inside the loop that updates the variable. Its value, in
order: a copy of an assignment of the variable whose names are bound there; the value
that assignment pairs with (`best = x` beside `top = x[1]`, where `top = xs[0][1]`
before the loop gives `best = xs[0]`); for a `range` loop's index, the value it holds
after a loop that ran zero times (`start - 1`); the neutral value of how it is used.
"""

import ast
import re

from .common import PREFER, Scope, body_statements, fix, free_names, reads, stored

FAMILY, TIER = "initialise", "template"
VALUES = 4

UNBOUND = re.compile(r"(?:cannot access local variable '(\w+)'|local variable '(\w+)' referenced before assignment)")


def unbound_name(error):
    if error.get("type") != "UnboundLocalError":
        return None
    found = UNBOUND.search(error.get("message") or "")
    return found and (found.group(1) or found.group(2))


def block_of(node):
    """The statement list that holds a statement, and its owner."""
    parent = node.parent
    for field in ("body", "orelse", "finalbody", "handlers"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and node in block:
            return parent, block
    return parent, None


def chain(node, fn):
    """The statement and each statement around it, up to the function's body."""
    out = [node]
    while out[-1].parent is not fn and isinstance(out[-1].parent, ast.stmt):
        out.append(out[-1].parent)
    return out


def insertion(assigned, read, fn):
    """Before the first of the assignment's and the read's statements in the innermost block holding both; None where one holds the other."""
    ours, theirs = chain(assigned, fn), chain(read, fn)
    for a in ours:
        for r in theirs:
            if a is not r and block_of(a)[1] is not None and block_of(a)[1] is block_of(r)[1]:
                return a if a.lineno < r.lineno else r
    return None


def paired(assigned, name, before):
    """`best = x` beside `top = x[1]` in its block, with `top = xs[0][1]` set before: the `xs[0]` that `x` stands for."""
    if not (isinstance(assigned, ast.Assign) and isinstance(assigned.value, ast.Name)):
        return []
    v = assigned.value.id
    _, block = block_of(assigned)
    out = []
    for s in block or []:
        if s is assigned or not (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)) or s.targets[0].id == name:
            continue
        later = ast.unparse(s.value)
        token = re.search(rf"(?<![\w.]){re.escape(v)}(?!\w)", later)
        if not token:
            continue
        pattern = re.escape(later[: token.start()]) + "(.+)" + re.escape(later[token.end():])
        for earlier in before.get(s.targets[0].id, []):
            found = re.fullmatch(pattern, earlier)
            if found and found.group(1) != v:
                out.append(found.group(1))
    return out


def opposite(value):
    """Where a constant set in a branch starts: a flag the other way, a number at 0, text empty (none for what is already empty)."""
    if isinstance(value, bool):
        return [str(not value)]
    if isinstance(value, (int, float)) and value != 0:
        return ["0"]
    if isinstance(value, str) and value:
        return ["''"]
    return []


def closed(text, scope):
    """Whether an expression's text parses and every name it reads is bound in the scope."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return all(scope.has(n) for n in free_names(tree))


def neutral(fn, name):
    """What nothing is, for how the variable is used: a count starts at 0, a list at [], a text at ''."""
    for node in ast.walk(fn):
        added, op = None, None
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            added, op = node.value, node.op
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.BinOp) and isinstance(node.value.left, ast.Name) and node.value.left.id == name:
            added, op = node.value.right, node.value.op
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            added = node.value if isinstance(node.value, (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.JoinedStr)) else None
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == name and node.attr in ("append", "extend", "insert"):
            return ["[]"]
        if added is not None:
            return [empty(added, op)]
    return ["None"]


def empty(value, op=None):
    """The empty value of a value's kind: `()` for a tuple, `''` for text, `0` for a number (`1` for a product)."""
    if isinstance(op, (ast.Mult, ast.Div, ast.FloorDiv, ast.Pow)):
        return "1"
    if isinstance(value, ast.List):
        return "[]"
    if isinstance(value, ast.Tuple):
        return "()"
    if isinstance(value, ast.Dict):
        return "{}"
    if isinstance(value, ast.Set):
        return "set()"
    if isinstance(value, ast.JoinedStr) or (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        return "''"
    return "0"


def ends_at(target):
    """For `for i in range(...)`: what `i` holds after the loop ran zero times, so a read after it agrees with a loop that ran."""
    it = target.iter
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and 1 <= len(it.args) <= 2 and not it.keywords):
        return []
    if len(it.args) == 1:
        return ["-1"]
    start = it.args[0]
    if isinstance(start, ast.Constant) and isinstance(start.value, int):
        return [str(start.value - 1)]
    return [f"{ast.unparse(start)} - 1"]


def propose(src, statement, ctx):
    name = unbound_name(ctx.error)
    fn = ctx.fn
    # `t += v` reads `t` too, though its target is a store.
    updates = isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name) and statement.target.id == name
    if not name or fn is None or not (updates or name in reads(statement)) or not statement.lineno <= ctx.site.get("line", 0) <= statement.end_lineno:
        return []
    assignments = [s for s in body_statements(fn) if name in {n for n, _ in stored(s)}]
    # Every value each variable of the function is set to, as text: the pairs' left sides.
    sets = {}
    for s in body_statements(fn):
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
            sets.setdefault(s.targets[0].id, []).append(ast.unparse(s.value))
    # The failing read first; an update that reads the variable itself (`n = n + 1`) places the value by the reads after it.
    readers = [statement] + [s for s in body_statements(fn) if s is not statement and name in reads(s)]
    out, seen = [], set()
    for assigned, reader in ((a, r) for r in readers for a in assignments if a is not r):
        at = insertion(assigned, reader, fn)
        if at is None or not src.own_line(at)[0]:
            continue
        _, indent = src.own_line(at)
        # Bound before `at` begins: not by `at` itself (a loop's own index is not set before it).
        scope = Scope(src, fn, type("At", (), {"lineno": at.lineno - 0.5})())
        # What the code itself says the value is comes first; a neutral value only when it says nothing (two guesses would disagree).
        values = []
        if isinstance(assigned, ast.Assign) and isinstance(assigned.value, ast.Constant):
            # A constant set where a branch or loop decides is what it decides, not where it starts: a flag starts the other way.
            values += opposite(assigned.value.value)
        elif isinstance(assigned, ast.Assign) and name not in free_names(assigned) and all(scope.has(n) for n in free_names(assigned.value)):
            values.append(ast.unparse(assigned.value))
        values += [v for v in paired(assigned, name, sets) if closed(v, scope)]
        if isinstance(assigned, (ast.For, ast.AsyncFor)) and isinstance(assigned.target, ast.Name):
            values += ends_at(assigned)
        # A constant set in a branch says what the variable holds; only a variable the code says nothing of gets the neutral value.
        told = isinstance(assigned, ast.Assign) and isinstance(assigned.value, ast.Constant)
        values = values or ([] if told else neutral(fn, name))
        for value in values:
            text = f"{name} = {value}"
            if (at.lineno, text) in seen or len(seen) >= VALUES:
                continue
            seen.add((at.lineno, text))
            start = src.starts[at.lineno - 1]
            newline = "\r\n" if src.lines[at.lineno - 1].endswith("\r\n") else "\n"
            out.append(fix(FAMILY, ctx, at, [{"start": start, "end": start, "text": f"{indent}{text}{newline}"}],
                           f"`{name}` initialised: `{text}` inserted before line {at.lineno}, where the path that raised had not set it", PREFER["insert"]))
    return out
