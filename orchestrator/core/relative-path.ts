import { isAbsolute, normalize } from 'node:path';
import { z } from 'zod';

/** A path written relative to `where` that cannot climb out of it. */
export function relativePathInside(where: string): z.ZodString {
  return z
    .string()
    .min(1)
    .refine((p) => !isAbsolute(p) && !normalize(p).split(/[\\/]/).includes('..'), {
      message: `must be a relative path inside the ${where} (no "..", not absolute)`,
    });
}
