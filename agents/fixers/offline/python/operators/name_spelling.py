"""name-spelling: the name a NameError says nothing defines, replaced by the defined
name spelt closest to it: a typo (`larget` for `largest`, `remove_mutiple` for the
function `remove_multiple`), a wrong case (`true`, `none`), a literal from another
language (`null` for `None`). The candidates are every name the statement can see (its
function's, the module's, of any kind) and the builtins; only one within a small edit
distance (one edit for a name of up to four letters, two for a longer one) or equal but
for case. Applies only to the name the error names: a name that is bound elsewhere is
not misspelt. Answers the undefined name, which has no other one-token repair."""

import ast
import re

from .common import BUILTINS, PREFER, fix, own_nodes, replace

FAMILY, TIER = "name-spelling", "template"
PER_NAME = 3

NOT_DEFINED = re.compile(r"name '(\w+)' is not defined")
# Another language's spelling of Python's constants: no edit distance finds them.
ALIASES = {"null": "None", "nil": "None", "undefined": "None", "NULL": "None"}


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


def closest(name, known):
    """The known names spelt like `name`, closest first (case alone before any edit)."""
    limit = 1 if len(name) <= 4 else 2
    scored = []
    for order, other in enumerate(known):
        # `list1` and `list` are two names by intent (a numbered one), not a slip; nor is a dunder.
        if other == name or other.rstrip("0123456789") == name.rstrip("0123456789") or other.startswith("__"):
            continue
        d = 0 if other.lower() == name.lower() else distance(name, other)
        if d <= limit and d < len(name):
            scored.append((d, order, other))
    alias = ALIASES.get(name)
    if alias:
        scored.append((0, -1, alias))
    return [other for _, _, other in sorted(scored)]


def spellings(ctx, name):
    """The defined names `name` may be a misspelling of, closest first; none when it is bound or is not the name the error says is undefined."""
    if not name or name != undefined_name(ctx.error) or ctx.scope.has(name):
        return []
    known = list(dict.fromkeys(ctx.scope.locals + ctx.scope.module + sorted(BUILTINS)))
    return closest(name, known)[:PER_NAME]


def propose(src, statement, ctx):
    name = undefined_name(ctx.error)
    choices = spellings(ctx, name)
    out = []
    for node in own_nodes(statement) if choices else []:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id == name:
            for other in choices:
                out.append(fix(FAMILY, ctx, node, [replace(src, node, other)], f"undefined name spelt as a defined one: `{name}` became `{other}`", PREFER["token"]))
    return out
