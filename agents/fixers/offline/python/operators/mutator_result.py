"""mutator-result: a method that changes its list, dict or set in place and returns
None (`append`, `sort`, `remove`, ...) used for its value: `xs = xs.append(x)`,
`f(xs.remove(y))`, `(xs.reverse()).remove(y)`. Python raises on the None later or at
once ("'NoneType' object has no attribute 'append'", "'NoneType' object is not
iterable"). The statement becomes the calls in the order Python made them, each a
statement of its own, then the statement with each call replaced by its object; an
assignment of the object to itself (`xs = xs`) is left out. One candidate mends every
such statement of the function, another the failing one alone. Only for an error on
None, and only where the object is a plain name, attribute or subscript (naming it
twice must not run anything twice). Answers the in-place method whose result is used.
"""

import ast
import re

from .common import PREFER, body_statements, fix

FAMILY, TIER = "mutator-result", "template"

MUTATORS = {"append", "extend", "insert", "remove", "sort", "reverse", "clear", "update", "add", "discard"}
ON_NONE = re.compile(r"'NoneType'|NoneType object")
# Forms whose parts Python evaluates once, in order; anything conditional or deferred is left alone.
DEFERRED = (ast.Lambda, ast.BoolOp, ast.IfExp, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
PLAIN = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(\[[^\[\]()]*\])?$")


def mutator(node):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS


def used(node, statement):
    """A mutator call whose value is read: not a statement of its own, and evaluated once, in order, by the statement."""
    if not mutator(node) or isinstance(getattr(node, "parent", None), ast.Expr):
        return False
    at = getattr(node, "parent", None)
    while at is not None and at is not statement:
        if isinstance(at, DEFERRED):
            return False
        at = getattr(at, "parent", None)
    return at is statement


def head(statement):
    """The part of a statement evaluated once before anything else it does: a simple statement whole, an `if`'s test, a `for`'s iterable."""
    if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)):
        return statement
    if isinstance(statement, ast.If):
        return statement.test
    if isinstance(statement, ast.For):
        return statement.iter
    return None


def calls_in(node, statement):
    """The used mutator calls under `node`, inner before outer, left before right: the order Python makes them."""
    out = []
    for child in ast.iter_child_nodes(node):
        out += calls_in(child, statement)
    return out + ([node] if used(node, statement) else [])


def render(src, node, calls, keep=None):
    """The node's text with each call of `calls` (but `keep`) replaced by its object's text, outermost first."""
    if node in calls and node is not keep:
        return render(src, node.func.value, calls)
    start, end = src.span(node)
    parts, at = [], start
    for call in sorted(outermost([c for c in calls if c is not keep and inside(src, c, node)], src), key=lambda c: src.span(c)[0]):
        s, e = bracketed(src, call)
        parts += [src.slice(at, s), render(src, call.func.value, calls)]
        at = e
    return "".join(parts) + src.slice(at, end)


def bracketed(src, call):
    """A call's span, with the brackets that only group it (`(xs.sort()).x`, not `f(xs.sort())`): its object needs none."""
    s, e = src.span(call)
    before, after = src.slice(max(s - 2, 0), s), src.slice(e, e + 1)
    if before.endswith("(") and after == ")" and not re.search(r"[\w)\]]$", before[:-1]):
        return s - 1, e + 1
    return s, e


def inside(src, inner, outer):
    (a, b), (c, d) = src.span(inner), src.span(outer)
    return c <= a and b <= d and (a, b) != (c, d)


def outermost(calls, src):
    return [c for c in calls if not any(inside(src, c, o) for o in calls if o is not c)]


def read_before(src, part, calls):
    """Whether the statement reads a call's object before the call runs (`[min(xs)] + f(xs.remove(y))`):
    hoisted, the call would change what that read sees."""
    roots = {root(c.func.value) for c in calls}
    first = min(src.span(c)[0] for c in calls)
    inside_calls = [src.span(c) for c in calls]
    for node in ast.walk(part):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in roots:
            start, end = src.span(node)
            if start < first and not any(s <= start and end <= e for s, e in inside_calls):
                return True
    return False


def root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def rewrite(src, statement):
    """The edits that mend one statement, or None when it has no used mutator call or cannot be mended safely."""
    part = head(statement)
    own, indent = src.own_line(statement)
    # An `elif` is an `if` in its parent's `else`: nothing can go before it.
    if part is None or not own or src.lines[statement.lineno - 1].lstrip().startswith("elif"):
        return None
    calls = calls_in(part, statement)
    if not calls or read_before(src, part, calls):
        return None
    receivers = [render(src, c.func.value, calls) for c in calls]
    if not all(PLAIN.match(r) for r in receivers):
        return None
    hoisted = [render(src, c, calls, keep=c) for c in calls]
    start, end = src.span(statement)
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and src.text_of(statement.targets[0]) == render(src, statement.value, calls):
        # `xs = xs.append(x)`: the call alone is what was meant.
        return [{"start": start, "end": end, "text": f"\n{indent}".join(hoisted)}]
    line = src.starts[statement.lineno - 1]
    edits = [{"start": line, "end": line, "text": "".join(f"{indent}{h}\n" for h in hoisted)}]
    for call in outermost(calls, src):
        s, e = bracketed(src, call)
        edits.append({"start": s, "end": e, "text": render(src, call.func.value, calls)})
    return edits


def propose(src, statement, ctx):
    error = ctx.error
    if error.get("type") not in ("AttributeError", "TypeError") or not ON_NONE.search(error.get("message") or ""):
        return []
    scope = ctx.fn if ctx.fn is not None else src.tree
    mended = [(s, e) for s in body_statements(scope) if (e := rewrite(src, s))]
    if not mended:
        return []
    out = []
    mine = [(s, e) for s, e in mended if s is statement]
    if mine:
        out.append(fix(FAMILY, ctx, statement, mine[0][1], f"in-place method's result used: `{src.text_of(statement).strip()}` split into its calls", PREFER["token"]))
    if len(mended) > len(mine):
        edits = [e for _, es in mended for e in es]
        shown = ", ".join(f"line {s.lineno}" for s, _ in mended)
        out.append(fix(FAMILY, ctx, mended[0][0], edits, f"in-place methods' results used: {shown} split into their calls", PREFER["token"]))
    return out
