"""name-spelling: the name a NameError says nothing defines, replaced by the defined
name spelt closest to it: a typo (`larget` for `largest`, `remove_mutiple` for the
function `remove_multiple`), a wrong case (`true`, `none`), a literal from another
language (`null` for `None`). Every use of the name in the statement changes at once.

The candidates are the names the statement can see (its function's and the module's,
of any kind), within one edit (insert, delete, replace, two neighbours swapped) for a
name of three or four letters, two for a longer one, or equal but for case. A builtin
is a candidate only where the use fits it: called, for a callable (`lne(xs)` ->
`len(xs)`); read an attribute of, for one that has it. Anywhere else only the
constants are, and only by case or alias: `value` is not `False`, `num` not `sum`. A
name with no defined one that close, read as a sequence (indexed, iterated, `len`),
gets instead the function's own variables it reads as sequences elsewhere (a name from
another version of the code, `list1` where the parameter `seq` was meant), parameters
first; anything else gets nothing (a definition left out is no slip of a name).
Applies only to the name the error names. Answers the undefined name.

An UnboundLocalError for a name only ever updated in place (`occurences += (x,)`,
while `occurrences` is bound before) is the same slip: the update made the misspelt
name a local. Every use of it in the function gets the closest variable's spelling."""

import ast
import builtins
import re

from .common import PREFER, fix, own_nodes, repeated

FAMILY, TIER = "name-spelling", "template"
PER_NAME = 3

NOT_DEFINED = re.compile(r"name '(\w+)' is not defined")
CONSTANTS = ("True", "False", "None")
# Another language's spelling of Python's constants: no edit distance finds them.
ALIASES = {"null": "None", "nil": "None", "undefined": "None", "NULL": "None"}
BUILTIN_NAMES = sorted(n for n in dir(builtins) if not n.startswith("_") and n not in CONSTANTS)


def undefined_name(error):
    if error.get("type") != "NameError":
        return None
    found = NOT_DEFINED.search(error.get("message") or "")
    return found and found.group(1)


def distance(a, b):
    """Edits (insert, delete, replace, swap of neighbours) from one name to the other."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[len(b)]


def spelt_like(name, other):
    """The edits between two names when one may be a slip for the other, else None."""
    # `list1` and `list` are two names by intent (a numbered one), not a slip.
    numbered = name[-1:].isdigit() or other[-1:].isdigit()
    if other == name or (numbered and other.rstrip("0123456789").lower() == name.rstrip("0123456789").lower()):
        return None
    if other.lower() == name.lower():
        return 0
    limit = 0 if len(name) < 3 else 1 if len(name) <= 4 else 2
    d = distance(name, other)
    return d if 0 < d <= limit else None


def fits(builtin, node):
    """Whether a builtin may stand where `node` is used: called, or read an attribute of."""
    value = getattr(builtins, builtin, None)
    parent = getattr(node, "parent", None)
    if isinstance(parent, ast.Call) and parent.func is node:
        return callable(value)
    if isinstance(parent, ast.Attribute) and parent.value is node:
        return hasattr(value, parent.attr)
    return False


def spellings(ctx, name, nodes=()):
    """The defined names `name` may be a misspelling of, closest first: bound names, then
    builtins that fit every use in `nodes`, then constants by case or alias. None when the
    error does not name `name` as undefined, or it is bound."""
    if not name or name != undefined_name(ctx.error) or ctx.scope.has(name):
        return []
    scored = []
    for order, other in enumerate(dict.fromkeys(ctx.scope.locals + ctx.scope.module)):
        d = spelt_like(name, other)
        if d is not None:
            scored.append((d, 0, order, other))
    for order, other in enumerate(BUILTIN_NAMES):
        d = spelt_like(name, other)
        if d is not None and nodes and all(fits(other, n) for n in nodes):
            scored.append((d, 1, order, other))
    for order, other in enumerate(CONSTANTS):
        if other.lower() == name.lower() or ALIASES.get(name) == other:
            scored.append((0, 2, order, other))
    return [other for *_, other in sorted(scored)][:PER_NAME]


def bound_around(node, name, fn):
    """Whether something between `node` and its function binds `name`: a comprehension's
    target, a lambda's or a nested function's parameter or local. There the name is
    another variable, defined."""
    at = getattr(node, "parent", None)
    while at is not None and at is not fn:
        if isinstance(at, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            if any(isinstance(t, ast.Name) and t.id == name for g in at.generators for t in ast.walk(g.target)):
                return True
        elif isinstance(at, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            args = at.args
            if name in {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs + [x for x in (args.vararg, args.kwarg) if x]}:
                return True
            if not isinstance(at, ast.Lambda) and any(isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id == name for n in ast.walk(at)):
                return True
        at = getattr(at, "parent", None)
    return False


UNBOUND = re.compile(r"local variable '(\w+)' (?:where it is not associated|referenced before assignment)")


def misspelt_local(src, ctx):
    """UnboundLocalError for a name only ever updated in place (`occurences += (x,)`):
    the update made a new local of a slip for a variable that exists (`occurrences`).
    Every use of it in the function becomes the variable bound before it, spelt closest."""
    found = UNBOUND.search(ctx.error.get("message") or "") if ctx.error.get("type") == "UnboundLocalError" else None
    if not found or ctx.fn is None:
        return []
    name = found.group(1)
    uses = [n for n in ast.walk(ctx.fn) if isinstance(n, ast.Name) and n.id == name and not bound_around(n, name, ctx.fn)]
    stores = [n for n in uses if isinstance(n.ctx, ast.Store)]
    if not stores or not all(isinstance(n.parent, ast.AugAssign) and n.parent.target is n for n in stores):
        return []
    scored = sorted((d, order, other) for order, other in enumerate(dict.fromkeys(ctx.scope.variables())) if (d := spelt_like(name, other)) is not None)
    uses.sort(key=lambda n: (n.lineno, n.col_offset))
    return [
        fix(FAMILY, ctx, uses[0], [dict(zip(("start", "end"), src.span(n)), text=other) for n in uses], f"variable updated in place under a misspelt name: `{name}` became `{other}`", PREFER["token"])
        for *_, other in scored[:PER_NAME]
    ]


def propose(src, statement, ctx):
    if ctx.error.get("type") == "UnboundLocalError":
        return misspelt_local(src, ctx)
    name = undefined_name(ctx.error)

    def use(n):
        return isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id == name and not bound_around(n, name, ctx.fn)

    ours = [n for n in own_nodes(statement) if use(n)]
    out = []
    for nodes in repeated(src, ctx, ours, use):
        close = spellings(ctx, name, nodes)
        for other in close:
            edits = [dict(zip(("start", "end"), src.span(n)), text=other) for n in nodes]
            out.append(fix(FAMILY, ctx, nodes[0], edits, f"undefined name spelt as a defined one: `{name}` became `{other}`", PREFER["token"]))
        for other in [] if close else stand_ins(ctx, name, nodes):
            edits = [dict(zip(("start", "end"), src.span(n)), text=other) for n in nodes]
            out.append(fix(FAMILY, ctx, nodes[0], edits, f"undefined name, spelt like no defined one, replaced by a variable of the function: `{name}` became `{other}`", PREFER["replace"]))
    return out


def as_container(node):
    """Whether a use reads the name as a sequence: indexed, iterated, or measured by `len`."""
    parent = getattr(node, "parent", None)
    return (
        (isinstance(parent, ast.Subscript) and parent.value is node)
        or (isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is node)
        or (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "len" and node in parent.args)
    )


def stand_ins(ctx, name, nodes):
    """For an undefined name spelt like nothing defined, read as a sequence (`list1[i]`
    where the parameter `seq` was meant: a name from another version of the code), the
    function's own variables it reads as sequences elsewhere, parameters first: the
    ingredient is usually there, and of the same kind."""
    if ctx.fn is None or name != undefined_name(ctx.error) or ctx.scope.has(name) or not any(as_container(n) for n in nodes):
        return []
    sequences = {n.id for n in ast.walk(ctx.fn) if isinstance(n, ast.Name) and n.id != name and as_container(n)}
    return [v for v in ctx.scope.locals if ctx.scope.kinds.get(v) == "var" and v in sequences][:PER_NAME]
