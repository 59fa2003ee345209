import { argumentSwap } from '../operators/argument-swap.ts';
import { arithmetic } from '../operators/arithmetic.ts';
import { logical } from '../operators/logical.ts';
import { offByOne } from '../operators/off-by-one.ts';
import { relational } from '../operators/relational.ts';
import { awaitInsert } from '../operators/await-insert.ts';
import { initialise } from '../operators/initialise.ts';
import { memberSpelling } from '../operators/member-spelling.ts';
import { mutatorResult } from '../operators/mutator-result.ts';
import { callMissing } from '../operators/call-missing.ts';
import { loopProgress } from '../operators/loop-progress.ts';
import { loopStuck } from '../operators/loop-stuck.ts';
import { recursionEnds } from '../operators/recursion-ends.ts';
import { nameSpelling } from '../operators/name-spelling.ts';
import { siblingProperty } from '../operators/member-sibling.ts';
import { derivedName } from '../operators/name-derived.ts';
import { narrowNullish } from '../operators/narrow-nullish.ts';
import { narrowState } from '../operators/narrow-state.ts';
import { coercion } from './coercion.ts';
import { jsonParse } from './json-parse.ts';
import { missingDefault } from './missing-default.ts';
import { nullGuard } from './null-guard.ts';
import { radix } from './radix.ts';
import { regex } from './regex.ts';
import { rounding } from './rounding.ts';
import type { Template } from './types.ts';

/**
 * Fix templates, the first rung: specific repairs of common defects (TBar-like
 * patterns), tried at every suspect site. Five are the specific parts of operator
 * families and are named by them (`condition-narrow`, `name-replace`, `member-replace`,
 * `await-insert`): a falsy test made a test for absence, a clause about the loop's
 * state, a variable derived from the one used, a sibling property, an awaited async call.
 */
export const TEMPLATES: readonly Template[] = [
  nameSpelling,
  memberSpelling,
  mutatorResult,
  callMissing,
  loopProgress,
  loopStuck,
  recursionEnds,
  nullGuard,
  narrowNullish,
  missingDefault,
  rounding,
  derivedName,
  siblingProperty,
  awaitInsert,
  initialise,
  radix,
  jsonParse,
  regex,
  narrowState,
];

/** Families under one older name: the categories the defect injector reports by. */
const as = (name: string, ...families: Template[]): Template => ({ name, propose: (site) => families.flatMap((f) => f.propose(site)) });

/**
 * Small mutations, for the eval harness that injects defects
 * (`evals/harness/mutate/inject.ts`), under the names its categories are keyed by:
 * the cheap operator families that change a bound, an order or an operator, and
 * coercion. The fixer's own last rung is `operators/index.ts`.
 */
export const MUTATIONS: readonly Template[] = [
  as('boundary', offByOne, relational),
  coercion,
  as('swapped-arguments', argumentSwap),
  as('operator', relational, arithmetic, logical),
];
