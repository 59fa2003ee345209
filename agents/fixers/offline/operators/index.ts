import { coercion } from '../templates/coercion.ts';
import type { Template } from '../templates/types.ts';
import { argumentReplace } from './argument-replace.ts';
import { argumentSwap } from './argument-swap.ts';
import { arithmetic } from './arithmetic.ts';
import { awaitInsert } from './await-insert.ts';
import { conditionNarrow } from './condition-narrow.ts';
import { conditionWiden } from './condition-widen.ts';
import { logical } from './logical.ts';
import { memberReplace } from './member-replace.ts';
import { nameReplace } from './name-replace.ts';
import { negate } from './negate.ts';
import { offByOne } from './off-by-one.ts';
import { quotedName } from './quoted-name.ts';
import { relational } from './relational.ts';
import { statementDelete } from './statement-delete.ts';
import { statementInsert } from './statement-insert.ts';
import { statementMove } from './statement-move.ts';
import { unary } from './unary.ts';
import { updateAssign } from './update-assign.ts';
import { yieldFrom } from './yield-from.ts';

/**
 * The operator families that change one token, tried first at a site: a comparison,
 * a bound, an argument's order, an operator. Each has few alternatives at a site.
 */
export const TOKEN: readonly Template[] = [relational, offByOne, argumentSwap, arithmetic, logical, updateAssign, yieldFrom, awaitInsert, unary];

/**
 * The families that replace a name or add a clause: still one token or one clause,
 * but with many alternatives at a site (every name in scope), so they come after the
 * token families of the same sites.
 */
export const REPLACE: readonly Template[] = [coercion, quotedName, nameReplace, memberReplace, argumentReplace, conditionWiden];

/** Every cheap family: a one-token change before a statement insertion. */
const CHEAP: readonly Template[] = [...TOKEN, ...REPLACE];

/**
 * The families tried after every cheap one at the same sites: a statement inserted
 * changes more than a token, and a negated or narrowed condition or a deleted statement
 * can silence the failure rather than repair it.
 */
export const COSTLY: readonly Template[] = [statementInsert, statementMove, conditionNarrow, negate, statementDelete];

/** Every JavaScript/TypeScript operator family, cheap first. */
export const FAMILIES: readonly Template[] = [...CHEAP, ...COSTLY];
