"""concat-operand: an item added to a sequence as if it were one, which Python refuses:
"can only concatenate list (not "int") to list", "can only concatenate str (not
"int") to str". Each operand of the statement's `+` (and `+=`) that is not itself a
sequence written out becomes one of the kind the error names: `xs + x` -> `xs + [x]`,
`t + x` -> `t + (x,)`, `s + n` -> `s + str(n)`. The right-hand operand is tried
first: `total + item` is how such sums are written. An update that adds the
accumulator to itself as well (`out += out + x`, which doubles what `out` held on
every pass) first loses the second `out`: `out += [x]`. Answers the item concatenated
to a sequence.
"""

import ast
import re

from .common import PREFER, fix, own_nodes, replace

FAMILY, TIER = "concat-operand", "template"

CONCATENATE = re.compile(r'can only concatenate (list|str|tuple) \(not "(\w+)"\) to \1')
WRITTEN = (ast.List, ast.ListComp, ast.Tuple, ast.JoinedStr)


def as_kind(kind, text):
    return {"list": f"[{text}]", "tuple": f"({text},)", "str": f"str({text})"}[kind]


def operands(statement):
    """The operands of the statement's additions, right ones first, each once."""
    out = []
    for node in own_nodes(statement):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            out += [node.right, node.left]
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
            out.append(node.value)
    return list(dict.fromkeys(out))


def propose(src, statement, ctx):
    found = CONCATENATE.search(ctx.error.get("message") or "") if ctx.error.get("type") == "TypeError" else None
    if not found:
        return []
    kind = found.group(1)
    if found.group(2) == "bytes":
        return []  # bytes joined to text: text-bytes decodes them; str(b) would write "b'…'"
    out = []
    value = getattr(statement, "value", None)
    if isinstance(statement, ast.AugAssign) and isinstance(statement.op, ast.Add) and isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        if src.text_of(value.left) == src.text_of(statement.target) and not isinstance(value.right, WRITTEN + (ast.BinOp,)):
            text = as_kind(kind, src.text_of(value.right))
            out.append(fix(FAMILY, ctx, value, [replace(src, value, text)], f"item added to a {kind} as if it were one, with the {kind} itself: `{src.text_of(value)}` became `{text}`", PREFER["token"]))
    for node in operands(statement):
        if isinstance(node, WRITTEN) or (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(node, ast.BinOp):
            continue
        text = as_kind(kind, src.text_of(node))
        out.append(fix(FAMILY, ctx, node, [dict(zip(("start", "end"), src.span(node)), text=text)], f"item added to a {kind} as if it were one: `{src.text_of(node)}` became `{text}`", PREFER["token"]))
    return out
