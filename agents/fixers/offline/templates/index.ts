import { boundary } from './boundary.ts';
import { coercion } from './coercion.ts';
import { conditionClause } from './condition-clause.ts';
import { jsonParse } from './json-parse.ts';
import { missingAwait } from './missing-await.ts';
import { missingDefault } from './missing-default.ts';
import { nullGuard } from './null-guard.ts';
import { nullishCheck } from './nullish-check.ts';
import { operator } from './operator.ts';
import { radix } from './radix.ts';
import { regex } from './regex.ts';
import { rounding } from './rounding.ts';
import { swappedArguments } from './swapped-arguments.ts';
import type { Template } from './types.ts';
import { wrongProperty } from './wrong-property.ts';
import { wrongVariable } from './wrong-variable.ts';

/** Fix templates, the first rung: specific repairs of common defects, tried at every suspect site. */
export const TEMPLATES: readonly Template[] = [
  nullGuard,
  nullishCheck,
  missingDefault,
  rounding,
  wrongVariable,
  wrongProperty,
  missingAwait,
  radix,
  jsonParse,
  regex,
  conditionClause,
];

/** Mutations, the second rung: generic small edits, tried at the most suspicious sites only. */
export const MUTATIONS: readonly Template[] = [boundary, coercion, swappedArguments, operator];
