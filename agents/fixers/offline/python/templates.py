"""Fix templates for Python plugins, on Python's own `ast` (parsed, never run).

Reads {"files": {path: text}, "sites": [{"file", "line", "alone"?}], "error": {"type", "message"}}
as JSON on stdin; writes {"fixes": [{"site", "file", "line", "template", "edits",
"rationale", "preference"}]}. Edits are {start, end, text} in character offsets of the
file's text, counted in UTF-16 code units as JavaScript counts them; every fix's
result compiles. The steward fixer tries them in the sandbox.
"""

import ast
import json
import re
import sys

FLIP = {ast.Lt: "<=", ast.LtE: "<", ast.Gt: ">=", ast.GtE: ">"}
SWAP = {
    ast.Eq: ["!="], ast.NotEq: ["=="], ast.Lt: [">"], ast.Gt: ["<"], ast.LtE: [">="], ast.GtE: ["<="],
    ast.Add: ["-"], ast.Sub: ["+"], ast.Mult: ["/"], ast.Div: ["*"], ast.FloorDiv: ["/"], ast.Mod: ["/"],
}
TEXT = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.Gt: ">", ast.LtE: "<=", ast.GtE: ">=", ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%"}


def units(text):
    """Length in UTF-16 code units: what a JavaScript string index counts."""
    return len(text.encode("utf-16-le")) // 2


def split_lines(text):
    """Lines as Python numbers them: only \\n, \\r\\n and \\r end one (str.splitlines knows more)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


class Source:
    def __init__(self, path, text):
        self.path, self.text = path, text
        self.lines = split_lines(text)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + units(line))
        self.tree = ast.parse(text, path)

    def offset(self, lineno, col_bytes):
        """ast columns count UTF-8 bytes; edits count UTF-16 units."""
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + units(line.encode("utf-8")[:col_bytes].decode("utf-8", "ignore"))

    def span(self, node):
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def statements(self):
        return [n for n in ast.walk(self.tree) if isinstance(n, ast.stmt)]

    def statement_on(self, line):
        on = [s for s in self.statements() if s.lineno <= line <= s.end_lineno and not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        whole = [s for s in on if s.lineno == line and s.end_lineno == line]
        if whole:
            return min(whole, key=lambda s: s.col_offset)
        return max(on, key=lambda s: (s.lineno, s.col_offset)) if on else None

    def function_of(self, statement):
        best = None
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno <= statement.lineno and statement.end_lineno <= node.end_lineno:
                if best is None or node.lineno >= best.lineno:
                    best = node
        return best

    def compiles(self, text):
        """Compiled, not only parsed: `return` outside a function is no program."""
        try:
            compile(text, self.path, "exec", dont_inherit=True)
            return True
        except (SyntaxError, ValueError):
            return False


def apply(text, edits):
    """The edits made, their offsets in UTF-16 units."""
    data = text.encode("utf-16-le")
    for edit in sorted(edits, key=lambda e: -e["start"]):
        data = data[: 2 * edit["start"]] + edit["text"].encode("utf-16-le") + data[2 * edit["end"]:]
    return data.decode("utf-16-le")


def operator_between(src, left, right, wanted):
    """The span of an operator token between two operands (ast keeps no position for it)."""
    start, _ = src.span(right)
    _, end = src.span(left)
    between = src.text.encode("utf-16-le")[2 * end: 2 * start].decode("utf-16-le")
    found = re.search(re.escape(wanted), between)
    return (end + units(between[: found.start()]), end + units(between[: found.end()])) if found else None


def guard(src, statement, site, error):
    """Return early from the function when a value its failing line uses is missing or zero."""
    fn = src.function_of(statement)
    if fn is None or statement is fn:
        return []
    params = {a.arg for a in fn.args.args + fn.args.kwonlyargs}
    used = []
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and node.id in params and node.id not in used:
            used.append(node.id)
    line = src.lines[statement.lineno - 1]
    indent = re.match(r"[ \t]*", line).group(0)
    # Only before a statement that starts its own line: not after `else:` or a one-line `def`.
    if len(indent.encode("utf-8")) != statement.col_offset:
        return []
    at = src.starts[statement.lineno - 1]
    out = []
    for name in used:
        variants = [(f"if {name} is None:\n{indent}    return None\n", f"`{name}` may be None", 0)]
        if error.get("type") in ("ValueError", "ZeroDivisionError", "ArithmeticError"):
            variants.insert(0, (f"if not {name}:\n{indent}    return {name}\n", f"`{name}` may be zero or empty, where {error.get('type')} is raised", 0))
        for code, why, preference in variants:
            out.append({"template": "guard", "edits": [{"start": at, "end": at, "text": indent + code}], "preference": preference,
                        "rationale": f"guard added at {site['file']}:{statement.lineno}: {why}; the function returns it before line {site['line']}"})
    return out


def boundary(src, statement, site, _error):
    out = []
    for node in ast.walk(statement):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in FLIP:
            span = operator_between(src, node.left, node.comparators[0], TEXT[type(node.ops[0])])
            if span:
                new = FLIP[type(node.ops[0])]
                out.append({"template": "boundary", "edits": [{"start": span[0], "end": span[1], "text": new}], "rationale": f"bound changed at {site['file']}:{node.lineno}: `{TEXT[type(node.ops[0])]}` became `{new}`"})
        # An index, not a slice and not a key such as "name".
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice) and not (isinstance(node.slice, ast.Constant) and not isinstance(node.slice.value, int)):
            start, end = src.span(node.slice)
            shown = src.text.encode("utf-16-le")[2 * start: 2 * end].decode("utf-16-le")
            for step in ("- 1", "+ 1"):
                out.append({"template": "boundary", "edits": [{"start": start, "end": end, "text": f"{shown} {step}"}], "rationale": f"index shifted at {site['file']}:{node.lineno}: `{shown}` became `{shown} {step}`"})
    return out


def operator(src, statement, site, _error):
    out = []
    for node in ast.walk(statement):
        pairs = []
        if isinstance(node, ast.BinOp):
            pairs.append((node.left, node.right, type(node.op)))
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            pairs.append((node.left, node.comparators[0], type(node.ops[0])))
        for left, right, op in pairs:
            span = operator_between(src, left, right, TEXT.get(op, "\0"))
            for swap in SWAP.get(op, []):
                if span:
                    out.append({"template": "operator", "edits": [{"start": span[0], "end": span[1], "text": swap}], "rationale": f"operator changed at {site['file']}:{node.lineno}: `{TEXT[op]}` became `{swap}`"})
    return out


# Methods of one number type that the other lacks: an int where a float was meant, or the reverse.
CONVERT = {"int": ("float", {"is_integer", "hex", "as_integer_ratio"}), "float": ("int", {"bit_length", "bit_count", "to_bytes"})}


def article(word):
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def coercion(src, statement, site, error):
    """`'int' object has no attribute 'is_integer'`: the value converted where the method is called."""
    found = re.match(r"'(\w+)' object has no attribute '(\w+)'", error.get("message", "")) if error.get("type") == "AttributeError" else None
    if not found or found.group(1) not in CONVERT:
        return []
    to, methods = CONVERT[found.group(1)]
    if found.group(2) not in methods:
        return []
    out = []
    for node in ast.walk(statement):
        if isinstance(node, ast.Attribute) and node.attr == found.group(2):
            start, end = src.span(node.value)
            shown = src.text.encode("utf-16-le")[2 * start: 2 * end].decode("utf-16-le")
            out.append({"template": "coercion", "edits": [{"start": start, "end": end, "text": f"{to}({shown})"}],
                        "rationale": f"value converted at {site['file']}:{node.lineno}: `{shown}` is {article(found.group(1))} where `.{node.attr}` needs {article(to)}; it is now `{to}({shown})`"})
    return out


TEMPLATES = [guard, coercion, boundary, operator]


def main():
    request = json.load(sys.stdin)
    sources = {}
    fixes = []
    for index, site in enumerate(request["sites"]):
        path = site["file"]
        if path not in sources:
            try:
                sources[path] = Source(path, request["files"][path])
            except (SyntaxError, KeyError, ValueError):
                sources[path] = None
        src = sources[path]
        statement = src and src.statement_on(site["line"])
        if statement is None:
            continue
        fn = src.function_of(statement)
        earlier = []
        # A line coverage ranked is a site by itself; a frame's line brings the ten statements before it.
        if fn is not None and not site.get("alone"):
            earlier = sorted((s for s in src.statements() if fn.lineno < s.lineno and s.end_lineno < statement.lineno and src.function_of(s) is fn), key=lambda s: -s.lineno)[:10]
        for rank, target in enumerate([statement] + earlier):
            for template in TEMPLATES:
                for fix in template(src, target, site, request.get("error") or {}):
                    if src.compiles(apply(src.text, fix["edits"])):
                        fixes.append({"site": index, "rank": rank, "file": path, "line": target.lineno, **fix})
    json.dump({"fixes": fixes}, sys.stdout)


if __name__ == "__main__":
    main()
