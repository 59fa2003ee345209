"""text-bytes: text where bytes were meant, or bytes where text was. Python keeps the two
apart (JavaScript has no such split), and the error says which way: "Strings must be
encoded before hashing", "a bytes-like object is required, not 'str'", "can't concat
str to bytes" want bytes; "write() argument must be str, not bytes", "can only
concatenate str (not "bytes") to str", "decoding str is not supported" want text.

Each argument of the statement's calls, and each operand of its `+`, becomes the kind
wanted: an expression `x.encode()` / `x.decode()`, a literal `b'…'` (a bytes literal
`'…'`). A text literal that spells a name in scope (`'text'` where `text` was meant,
a name quoted by mistake) becomes that name converted, not the literal's own bytes.
Answers a str/bytes mix-up at the line that raised.
"""

import ast
import re

from .common import PREFER, fix, own_nodes
from .concat_operand import operands as additions

FAMILY, TIER = "text-bytes", "template"

WANTS_BYTES = re.compile(r"Strings must be encoded|Unicode-objects must be encoded|bytes-like object is required, not 'str'|can't concat str to bytes|must be bytes(?: or [\w ]+)?, not str|expected bytes(?: or bytearray)?,? (?:but got 'str'|str found)")
WANTS_TEXT = re.compile(r"must be str, not bytes|can only concatenate str \(not \"bytes\"\) to str|decoding str is not supported|expected str instance, bytes found|Can't convert 'bytes' object to str")


def operands(statement):
    """The arguments of the statement's calls and the operands of its additions, each once, in source order."""
    calls = [arg for node in own_nodes(statement) if isinstance(node, ast.Call) for arg in list(node.args) + [k.value for k in node.keywords]]
    return sorted(dict.fromkeys(calls + additions(statement)), key=lambda n: (n.lineno, n.col_offset))


def converted(src, node, method, scope):
    """The operand as the wanted kind, or None when it already is that kind or cannot be."""
    if isinstance(node, ast.Starred) or (isinstance(node, ast.Constant) and not isinstance(node.value, (str, bytes))):
        return None
    if isinstance(node, ast.Constant):
        text, wanted = node.value, (str if method == "decode" else bytes)
        if isinstance(text, wanted):
            return None
        if isinstance(text, str) and text.isidentifier() and text in scope.kinds and scope.kinds[text] == "var":
            return f"{text}.{method}()"
        if isinstance(text, str):
            return "b" + repr(text) if text.isascii() else None
        return repr(text.decode("latin-1")) if text.isascii() else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("encode", "decode"):
        return None
    shown = src.text_of(node)
    return f"({shown}).{method}()" if isinstance(node, (ast.BinOp, ast.BoolOp, ast.IfExp, ast.Compare, ast.Lambda, ast.NamedExpr)) else f"{shown}.{method}()"


def propose(src, statement, ctx):
    if ctx.error.get("type") != "TypeError":
        return []
    message = ctx.error.get("message") or ""
    method = "encode" if WANTS_BYTES.search(message) else "decode" if WANTS_TEXT.search(message) else None
    if method is None:
        return []
    kind = "bytes" if method == "encode" else "text"
    out = []
    for node in operands(statement):
        text = converted(src, node, method, ctx.scope)
        if text is None:
            continue
        what = f"text and bytes mixed up, {kind} wanted: `{src.text_of(node)}` became `{text}`"
        out.append(fix(FAMILY, ctx, node, [dict(zip(("start", "end"), src.span(node)), text=text)], what, PREFER["token"]))
    return out
