import { boundary } from './boundary.ts';
import { missingAwait } from './missing-await.ts';
import { nullGuard } from './null-guard.ts';
import { operator } from './operator.ts';
import { radix } from './radix.ts';
import { rounding } from './rounding.ts';
import type { Template } from './types.ts';
import { wrongVariable } from './wrong-variable.ts';

/** The templates in the order they are tried: the likeliest fixes of the commonest defects first. */
export const TEMPLATES: readonly Template[] = [nullGuard, rounding, wrongVariable, missingAwait, radix, boundary, operator];
