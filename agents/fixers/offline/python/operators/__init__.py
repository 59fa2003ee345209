"""The general operator families for Python plugins, one module a family, with the same
names as the JavaScript side's (agents/fixers/offline/operators/), so eval reports can
compare yield per family across languages.

Each module has FAMILY (the fix's `template`), TIER and `propose(src, statement, ctx)`.
TIER orders the search: `token` (one token changed, few alternatives) and `replace` (a
name or a clause, many alternatives) are the cheap ones, tried before `costly` (a
statement inserted, or a change that can silence a crash: negate, narrow, delete).
`initialise`, `name_spelling`, `member_spelling`, `call_brackets`, `call_missing`,
`concat_operand`, `loop_iterable`, `loop_progress`, `loop_stuck`, `mutator_result` and `text_bytes` each answer one
error (UnboundLocalError, NameError, an AttributeError, a function subscripted or not
called, an item concatenated to a sequence, a loop over the wrong iterable, a hang in a
loop whose counter never moves, a hang in a loop whose condition reads nothing it
changes, an in-place method's None used, text and bytes mixed up) and are tried with the
templates.
"""

from . import (
    argument_replace,
    argument_swap,
    call_brackets,
    call_missing,
    concat_operand,
    arithmetic,
    await_insert,
    condition_narrow,
    condition_widen,
    initialise,
    logical,
    loop_iterable,
    loop_progress,
    loop_stuck,
    member_replace,
    member_spelling,
    mutator_result,
    name_replace,
    name_spelling,
    recursion_ends,
    text_bytes,
    negate,
    off_by_one,
    quoted_name,
    relational,
    statement_delete,
    statement_insert,
    statement_move,
    unary,
    update_assign,
    yield_from,
)

TOKEN = [relational, off_by_one, argument_swap, arithmetic, logical, update_assign, yield_from, await_insert, unary]
REPLACE = [quoted_name, name_replace, member_replace, argument_replace, condition_widen]
COSTLY = [statement_insert, statement_move, condition_narrow, negate, statement_delete]
FAMILIES = TOKEN + REPLACE + COSTLY
