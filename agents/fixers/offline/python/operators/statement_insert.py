"""statement-insert: a one-line statement the function (or else the file) has elsewhere,
inserted before or after the suspect statement, only when every name it reads is in
scope there (GenProg's donor code from the same program). Answers a missing statement."""

import ast

from .common import PREFER, Scope, body_statements, fix, free_names

FAMILY, TIER = "statement-insert", "costly"
DONORS = 4

KINDS = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)


def donor(src, s):
    """A statement worth copying: one line, not a docstring or a bare constant."""
    if not isinstance(s, KINDS) or s.lineno != s.end_lineno:
        return False
    if isinstance(s, ast.Expr) and not isinstance(s.value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)):
        return False
    return not isinstance(s, ast.AnnAssign) or s.value is not None


def alone_on_lines(src, statement):
    """The statement starts its own line and nothing but a comment follows it on its last one."""
    own, indent = src.own_line(statement)
    line = src.lines[statement.end_lineno - 1].encode("utf-8")[statement.end_col_offset:].decode("utf-8", "ignore")
    return own and (line.strip() == "" or line.strip().startswith("#")), indent


def propose(src, statement, ctx):
    alone, indent = alone_on_lines(src, statement)
    if not alone or isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return []
    here = [s for s in body_statements(ctx.fn)] if ctx.fn is not None else []
    elsewhere = [s for s in src.statements() if s not in here]
    # Nearest in the function first, then the rest of the file in order.
    candidates = sorted(here, key=lambda s: abs(s.lineno - statement.lineno)) + elsewhere
    neighbours = {src.lines[i].strip() for i in (statement.lineno - 2, statement.end_lineno) if 0 <= i < len(src.lines)}
    after_scope = Scope(src, ctx.fn, type("At", (), {"lineno": statement.end_lineno + 1})())
    out, used = [], []
    for s in candidates:
        if len(used) >= DONORS or s is statement or not donor(src, s):
            continue
        text = src.text_of(s)
        if text in used or text in neighbours or text == src.text_of(statement):
            continue
        names = free_names(s)
        for where, scope in (("before", ctx.scope), ("after", after_scope)):
            if not all(scope.has(n) for n in names):
                continue
            if where == "before":
                at, code = src.starts[statement.lineno - 1], f"{indent}{text}\n"
            else:
                at = src.starts[statement.end_lineno]
                code = f"{indent}{text}\n" if src.lines[statement.end_lineno - 1].endswith(("\n", "\r")) else f"\n{indent}{text}"
            if text not in used:
                used.append(text)
            out.append(fix(FAMILY, ctx, statement, [{"start": at, "end": at, "text": code}], f"statement `{text}` (from line {s.lineno}) inserted {where} line {statement.lineno}", PREFER["insert"]))
    return out
