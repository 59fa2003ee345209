"""name-replace: a variable replaced by another in scope, plastic surgery from the
function and the file: one derived from it first (`y = x.strip()`), then names alike,
then the function's locals, then the module's. Never a name of another kind (a
function, class or import). The value of a subscript (`x[i]`) is replaced only by a
name the file also subscripts: indexing a count or a character reads nothing useful
for any input. A name the error says is undefined and that is spelt like a defined one is left to
name-spelling: a typo's repair is its spelling, not another variable. Answers the wrong
variable."""

import ast

from .common import PREFER, fix, own_nodes, reads, similar, body_statements
from .name_spelling import spellings

FAMILY, TIER = "name-replace", "replace"
PER_NAME = 3


def derived(ctx, name):
    """Locals bound from `name`: `clean = raw.strip()` is derived from `raw`."""
    out = []
    if ctx.fn is None:
        return out
    for s in body_statements(ctx.fn):
        if isinstance(s, (ast.Assign, ast.AnnAssign)) and s.lineno < ctx.statement.lineno and name in reads(s):
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            out += [t.id for t in targets if isinstance(t, ast.Name) and t.id != name]
    return out


def subscripted(tree):
    """Names the file indexes somewhere (`name[...]`)."""
    return {n.value.id for n in ast.walk(tree) if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)}


def propose(src, statement, ctx):
    variables = ctx.scope.variables()
    indexed = subscripted(src.tree)
    out = []
    for node in own_nodes(statement):
        if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)) or ctx.scope.kinds.get(node.id, "var") != "var":
            continue
        if isinstance(getattr(node, "parent", None), ast.Call) and node.parent.func is node:
            continue
        if spellings(ctx, node.id, [node]):
            continue
        index = isinstance(getattr(node, "parent", None), ast.Subscript) and node.parent.value is node
        order = derived(ctx, node.id) + [v for v in variables if similar(v, node.id)] + [v for v in variables if v in ctx.scope.locals] + variables
        made = []
        for name in order:
            if name != node.id and name not in made and name in variables and len(made) < PER_NAME and (not index or name in indexed):
                made.append(name)
                out.append(fix(FAMILY, ctx, node, [dict(zip(("start", "end"), src.span(node)), text=name)], f"variable replaced: `{node.id}` became `{name}`", PREFER["replace"]))
    return out
