"""member-spelling: the attribute an AttributeError says an object lacks, spelt as
one it has: `xs.removal(x)` -> `xs.remove(x)`, `s.uppper()` -> `s.upper()`,
`d.Keys()` -> `d.keys()`. The object's type is the error's ("'list' object has no
attribute 'removal'"): a builtin type's attributes, or those of a class the module
defines (its methods and class attributes, and what its methods set on `self`). The
spelling rules are name-spelling's (one edit for three or four letters, two for
more, or case); every use of the attribute in the statement changes at once. A type
steward cannot see into (one imported) gets nothing. Answers the misspelt method."""

import ast
import builtins
import re

from .common import PREFER, fix, own_nodes, repeated
from .name_spelling import PER_NAME, spelt_like

FAMILY, TIER = "member-spelling", "template"

NO_ATTRIBUTE = re.compile(r"^'(\w+)' object has no attribute '(\w+)'")


def class_members(tree, name):
    """The methods, class attributes and `self.x` assignments of a class the module defines."""
    out = []
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name):
        for node in ast.walk(cls):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not cls:
                out.append(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name) and node.value.id == "self":
                out.append(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and getattr(node, "parent", None) in cls.body:
                out.append(node.id)
    return list(dict.fromkeys(out))


def members_of(src, type_name):
    kind = getattr(builtins, type_name, None)
    if isinstance(kind, type):
        return [m for m in dir(kind) if not m.startswith("_")]
    return class_members(src.tree, type_name)


def propose(src, statement, ctx):
    found = NO_ATTRIBUTE.match(ctx.error.get("message") or "") if ctx.error.get("type") == "AttributeError" else None
    if not found:
        return []
    type_name, attr = found.groups()
    def use(n):
        return isinstance(n, ast.Attribute) and n.attr == attr

    ours = [n for n in own_nodes(statement) if use(n)]
    members = members_of(src, type_name) if ours else []
    scored = sorted((d, i, m) for i, m in enumerate(members) if (d := spelt_like(attr, m)) is not None)
    out = []
    for nodes in repeated(src, ctx, ours, use) if scored else []:
        # The attribute's name is the last thing its node spans.
        ends = [src.span(n)[1] for n in nodes]
        for _, _, other in scored[:PER_NAME]:
            edits = [{"start": end - len(attr), "end": end, "text": other} for end in ends]
            out.append(fix(FAMILY, ctx, nodes[0], edits, f"member spelt as one `{type_name}` has: `.{attr}` became `.{other}`", PREFER["token"]))
    return out
