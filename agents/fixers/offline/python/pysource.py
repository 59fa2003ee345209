"""A Python file as the fix templates see it: its text, its `ast`, and offsets in UTF-16 units.

Kept apart from the entry script so that every operator module reads a file the same
way: `ast` counts columns in UTF-8 bytes, the TypeScript side counts UTF-16 units.
"""

import ast
import re


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
        self.data = text.encode("utf-16-le")
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                child.parent = node
        self._statements = [n for n in ast.walk(self.tree) if isinstance(n, ast.stmt)]

    def offset(self, lineno, col_bytes):
        """ast columns count UTF-8 bytes; edits count UTF-16 units."""
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + units(line.encode("utf-8")[:col_bytes].decode("utf-8", "ignore"))

    def span(self, node):
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def slice(self, start, end):
        return self.data[2 * start: 2 * end].decode("utf-16-le")

    def text_of(self, node):
        return self.slice(*self.span(node))

    def statements(self):
        return self._statements

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
                if node is not statement and (best is None or node.lineno >= best.lineno):
                    best = node
        return best

    def own_line(self, statement):
        """Whether the statement starts its own line (not after `else:` or in a one-line `def`), and its indent."""
        line = self.lines[statement.lineno - 1]
        indent = re.match(r"[ \t]*", line).group(0)
        return len(indent.encode("utf-8")) == statement.col_offset, indent

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


def operator_between(src, left, right, pattern):
    """The span of an operator token between two operands (ast keeps no position for it); `pattern` is a regular expression."""
    start, _ = src.span(right)
    _, end = src.span(left)
    between = src.slice(end, start)
    found = re.search(pattern, between)
    return (end + units(between[: found.start()]), end + units(between[: found.end()])) if found else None
