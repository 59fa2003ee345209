"""argument-swap: two arguments of a call swapped, neighbours first, then any pair;
keyword values too. Answers arguments passed in the wrong order."""

import ast

from .common import fix, own_nodes

FAMILY, TIER = "argument-swap", "token"


def propose(src, statement, ctx):
    out = []
    for node in own_nodes(statement):
        if not isinstance(node, ast.Call):
            continue
        args = [a for a in node.args if not isinstance(a, ast.Starred)]
        if len(args) != len(node.args):
            args = []
        values = [k.value for k in node.keywords if k.arg]
        for group in (args, values):
            pairs = sorted(((i, j) for i in range(len(group)) for j in range(i + 1, len(group))), key=lambda p: (p[1] - p[0], p[0]))
            for i, j in pairs:
                a, b = group[i], group[j]
                ta, tb = src.text_of(a), src.text_of(b)
                if ta == tb:
                    continue
                (sa, ea), (sb, eb) = src.span(a), src.span(b)
                out.append(fix(FAMILY, ctx, node, [{"start": sa, "end": ea, "text": tb}, {"start": sb, "end": eb, "text": ta}], f"arguments swapped in `{src.text_of(node.func)}(…)`: `{ta}` and `{tb}`"))
    return out
