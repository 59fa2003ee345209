"""What the operator families share: the fix record, how much each kind is preferred, the
expressions a statement owns, and the names in scope at it.

A family sees one statement (a site) and a context: the file, the function, the error,
and the names the failing line reads (a condition around it may need a clause on them).
"""

import ast
import builtins
import re

from pysource import units

# How much to prefer a family's fix among validated ones of equal size (lower first). A
# change that can only make a check hold less often (negate, narrow, delete) can silence
# a crash instead of repairing it, so it ranks last. Mirrors the JavaScript side's PREFER.
PREFER = {"token": 1, "replace": 2, "insert": 3, "silencing": 4}

# At most this many fixes of one family at one statement: a busy line must not crowd out the rest.
FAMILY_CAP = 6

BUILTINS = set(dir(builtins))


def fix(family, ctx, node, edits, what, preference=PREFER["token"]):
    """A fix of one family, its rationale prefixed by where it is."""
    return {"template": family, "edits": edits, "rationale": f"{what} at {ctx.site['file']}:{getattr(node, 'lineno', ctx.statement.lineno)}", "preference": preference}


def replace(src, node, text):
    start, end = src.span(node)
    return {"start": start, "end": end, "text": text}


def line_after(src, line, indent, text):
    """An edit adding `text` as a line of its own after `line`, the line's own text (a
    comment too) kept whole, with the line's own break: a CRLF file stays CRLF."""
    raw = src.lines[line - 1]
    at = src.starts[line - 1] + units(raw.rstrip("\r\n"))
    newline = "\r\n" if raw.endswith("\r\n") else "\n"
    return {"start": at, "end": at, "text": f"{newline}{indent}{text}"}


def header(statement):
    """The expressions a statement owns: a compound statement's header, not its body (each body statement is a site of its own)."""
    # A body on the header's own line (`if i < n: return xs[i]`) is part of that line's statement.
    inline = [s for s in getattr(statement, "body", []) if s.lineno == statement.lineno and not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    if isinstance(statement, (ast.If, ast.While)):
        return [statement.test] + [n for s in inline for n in header(s)]
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return [statement.target, statement.iter] + [n for s in inline for n in header(s)]
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return [item.context_expr for item in statement.items]
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Try)) or type(statement).__name__ in ("TryStar", "Match"):
        return []
    return [statement]


def own_nodes(statement):
    """Every node of the statement's own expressions, outer first, not inside a nested def or lambda."""
    out = []
    stack = list(reversed(header(statement)))
    while stack:
        node = stack.pop()
        out.append(node)
        if node is not statement and isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return out


def reads(statement):
    """The variables a statement reads, in order, each once."""
    seen = []
    for node in own_nodes(statement):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in seen:
            seen.append(node.id)
    return seen


def stored(node):
    """Names a statement binds, with their kind: `var`, `function`, `class` or `import`."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [(node.name, "function")]
    if isinstance(node, ast.ClassDef):
        return [(node.name, "class")]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [((a.asname or a.name).split(".")[0], "import") for a in node.names]
    targets = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
    out = []
    for target in targets:
        for n in ast.walk(target):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                out.append((n.id, "var"))
    return out


def siblings(statement):
    """The statement list that holds the statement (its parent's body, else or finally block), or []."""
    parent = getattr(statement, "parent", None)
    return next((getattr(parent, f) for f in ("body", "orelse", "finalbody") if statement in getattr(parent, f, [])), [])


def body_statements(root):
    """The statements of a function or module, not those of a nested def or class."""
    out = []
    stack = list(reversed(getattr(root, "body", [])))
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            stack.extend(reversed([s for s in getattr(node, field, []) if isinstance(s, (ast.stmt, ast.excepthandler, getattr(ast, "match_case", ast.stmt)))]))
    return [s for s in out if isinstance(s, ast.stmt)]


class Scope:
    """The names visible at a statement: the function's parameters, its locals bound before
    the statement (nearest first), and the module's names; each with its kind."""

    def __init__(self, src, fn, statement):
        self.kinds = {}
        self.locals = []
        if fn is not None:
            args = fn.args
            for a in args.posonlyargs + args.args + args.kwonlyargs + [x for x in (args.vararg, args.kwarg) if x]:
                self._add(a.arg, "var", True)
            bound = sorted((s for s in body_statements(fn) if s.lineno < statement.lineno or (isinstance(s, (ast.For, ast.AsyncFor, ast.With)) and s.lineno <= statement.lineno <= s.end_lineno)), key=lambda s: -s.lineno)
            for s in bound:
                for name, kind in stored(s):
                    self._add(name, kind, True)
            for handler in (n for n in ast.walk(fn) if isinstance(n, ast.ExceptHandler) and n.name and n.lineno <= statement.lineno <= n.end_lineno):
                self._add(handler.name, "var", True)
        self.module = []
        # Inside a function every module name is bound by the time it runs; at module level only those bound before.
        for s in body_statements(src.tree) if fn is not None else [s for s in body_statements(src.tree) if s.lineno < statement.lineno]:
            for name, kind in stored(s):
                if name not in self.kinds:
                    self.kinds[name] = kind
                    self.module.append(name)

    def _add(self, name, kind, local):
        if name not in self.kinds:
            self.kinds[name] = kind
            self.locals.append(name)

    def variables(self):
        """Variables first the function's (nearest binding first), then the module's."""
        return [n for n in self.locals + self.module if self.kinds[n] == "var"]

    def has(self, name):
        return name in self.kinds or name in BUILTINS


def loop_nodes(loop):
    """The loop body's nodes, nested loops included, nested defs and classes not."""
    out, stack = [], list(loop.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        out.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return out


def around(node, kinds):
    """The nodes of `kinds` that hold `node` (itself included), nearest first, inside its function."""
    out = []
    while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Module)):
        if isinstance(node, kinds):
            out.append(node)
        node = getattr(node, "parent", None)
    return out


def free_names(node):
    """The names a statement reads that it does not bind itself."""
    bound = {name for name, _ in stored(node)}
    for n in ast.walk(node):
        if isinstance(n, (ast.comprehension,)):
            bound |= {x.id for x in ast.walk(n.target) if isinstance(x, ast.Name)}
        if isinstance(n, ast.Lambda):
            bound |= {a.arg for a in n.args.args}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in bound}


def atomic(node):
    """Whether a node's text can take an operator or a call without parentheses."""
    return isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.JoinedStr))


def wrapped(src, node):
    text = src.text_of(node)
    return text if atomic(node) or isinstance(node, (ast.Compare, ast.BinOp, ast.UnaryOp, ast.BoolOp)) else f"({text})"


def only_raises(statement):
    """An `if` whose only effect is to raise: narrowing, negating or deleting it silences a check instead of repairing state."""
    return isinstance(statement, ast.If) and not statement.orelse and all(isinstance(s, ast.Raise) for s in statement.body)


def similar(a, b):
    """Names alike (a shared word or prefix): `total_ms`, `total`; used to try likely names first."""
    wa, wb = set(re.split(r"_|(?<=[a-z])(?=[A-Z])", a.lower())) - {""}, set(re.split(r"_|(?<=[a-z])(?=[A-Z])", b.lower())) - {""}
    return bool(wa & wb) or a.lower().startswith(b.lower()[:3]) or b.lower().startswith(a.lower()[:3])


def capped(fixes, cap=FAMILY_CAP):
    return fixes[:cap]


def repeated(src, ctx, statement_nodes, match):
    """The statement's nodes of a slip, and, when the same slip is made elsewhere in the
    function (or the module), all of them: a student who wrote `xs.append[x]` once often
    wrote `ys.remove[y]` two lines on, and fixing one leaves the call failing on the next.
    Returns the lists to try, the statement's first."""
    scope = ctx.fn if ctx.fn is not None else src.tree
    everywhere = sorted((n for n in ast.walk(scope) if match(n)), key=lambda n: (n.lineno, n.col_offset))
    out = [list(statement_nodes)] if statement_nodes else []
    if len(everywhere) > len(statement_nodes):
        out.append(everywhere)
    return out
