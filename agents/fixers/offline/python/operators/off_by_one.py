"""off-by-one: ± 1 on an integer-valued expression, in the shortest text (`3` → `2`,
`n + 1` → `n`): a `range` argument, a slice bound, a subscript, a divisor, a comparison's
operand, a returned value, a call argument. Answers an off-by-one in a call argument or a
range bound, not only in a subscript, and the fencepost count a division by zero often
is (`total / (last - first)` for `last - first + 1` items)."""

import ast

from .common import fix, own_nodes, wrapped

FAMILY, TIER = "off-by-one", "token"
CAP = 10

# Functions and methods whose arguments are not counts: `len(xs)` is not `len(xs - 1)`.
NOT_COUNTS = {"len", "str", "repr", "isinstance", "issubclass", "print", "list", "dict", "set", "tuple", "sorted", "iter", "type", "getattr", "hasattr", "setattr",
              "open", "format", "bool", "callable", "id", "hash", "vars", "dir", "reversed", "frozenset", "bytes", "join", "startswith", "endswith", "split", "strip",
              "replace", "encode", "decode", "append", "extend", "update", "write", "add", "get", "float", "search", "match", "fullmatch", "sub", "findall", "compile",
              "loads", "dumps", "lower", "upper", "items", "keys", "values", "setdefault", "pop", "remove", "discard"}


def integer(node):
    """The value of an integer literal (`-1` included), else None."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) and type(node.operand.value) is int:
        return -node.operand.value
    return None


def countable(node, scope):
    """Could be an integer: a name of a variable, an int literal, a call, arithmetic, an index."""
    if integer(node) is not None:
        return True
    if isinstance(node, ast.Name):
        return scope.kinds.get(node.id, "var") == "var"
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        return name == "len" or name not in NOT_COUNTS
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod))
    return isinstance(node, (ast.Attribute, ast.Subscript))


def positions(statement, scope):
    """The integer-valued expressions of a statement, the likeliest bound first."""
    found = []
    for node in own_nodes(statement):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
            found += [(0, a) for a in node.args]
        elif isinstance(node, ast.Slice):
            found += [(0, b) for b in (node.lower, node.upper) if b is not None]
        elif isinstance(node, ast.Subscript) and not isinstance(node.slice, (ast.Slice, ast.Tuple)):
            found.append((1, node.slice))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)):
            found.append((2, node.right))
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and not isinstance(node.ops[0], (ast.Is, ast.IsNot, ast.In, ast.NotIn)):
            found += [(2, node.comparators[0]), (3, node.left)]
        elif isinstance(node, ast.Return) and node.value is not None:
            found.append((3, node.value))
        elif isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id in NOT_COUNTS) and not (isinstance(node.func, ast.Attribute) and node.func.attr in NOT_COUNTS):
            found += [(4, a) for a in node.args] + [(4, k.value) for k in node.keywords if k.arg]
    seen, out = set(), []
    for priority, node in sorted(found, key=lambda p: p[0]):
        if id(node) not in seen and countable(node, scope):
            seen.add(id(node))
            out.append(node)
    return out


def variants(src, node):
    """(edit, new text) pairs: one less first, then one more, each in its shortest text."""
    value = integer(node)
    if value is not None:
        return [(dict(zip(("start", "end"), src.span(node)), text=str(v)), str(v)) for v in (value - 1, value + 1)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)) and integer(node.right) is not None and integer(node.right) > 0:
        step = integer(node.right)
        sign = 1 if isinstance(node.op, ast.Add) else -1
        left = src.text_of(node.left)
        out = []
        for delta in (-1, 1):
            total = sign * step + delta
            if total == 0:
                _, left_end = src.span(node.left)
                out.append(({"start": left_end, "end": src.span(node)[1], "text": ""}, left))
            else:
                start, end = src.span(node.right)
                new = abs(total) if (total > 0) == (sign > 0) else None
                if new is not None:
                    out.append(({"start": start, "end": end, "text": str(new)}, f"{left} {'+' if sign > 0 else '-'} {new}"))
        return out
    text = wrapped(src, node) if not isinstance(node, (ast.Compare, ast.BoolOp)) else None
    if text is None:
        return []
    start, end = src.span(node)
    return [({"start": start, "end": end, "text": f"{text} {op} 1"}, f"{text} {op} 1") for op in ("-", "+")]


def propose(src, statement, ctx):
    out = []
    for node in positions(statement, ctx.scope):
        for edit, shown in variants(src, node):
            out.append(fix(FAMILY, ctx, node, [edit], f"off by one: `{src.text_of(node)}` became `{shown}`"))
    return out[: CAP * 2]
