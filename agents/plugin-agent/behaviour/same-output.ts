import { isDeepStrictEqual } from 'node:util';

/**
 * The output with the fields a plugin declares volatile removed (`interface.ignoreOutputFields`:
 * JSON Pointers in which a `*` token stands for any key or index, such as `/generatedAt`).
 */
function withoutIgnored(value: unknown, pointers: readonly string[][]): unknown {
  if (pointers.length === 0 || typeof value !== 'object' || value === null) return value;
  const here = pointers.filter((p) => p.length === 1).map((p) => p[0]);
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) };
  for (const key of Object.keys(copy)) {
    if (here.includes(key) || here.includes('*')) {
      if (Array.isArray(copy)) copy[Number(key)] = undefined;
      else delete copy[key];
      continue;
    }
    const deeper = pointers.filter((p) => p.length > 1 && (p[0] === key || p[0] === '*')).map((p) => p.slice(1));
    if (deeper.length > 0) (copy as Record<string, unknown>)[key] = withoutIgnored((copy as Record<string, unknown>)[key], deeper);
  }
  return copy;
}

const unescape = (token: string): string => token.replace(/~1/g, '/').replace(/~0/g, '~');

/** A comparison of two outputs as JSON values, blind to the declared volatile fields. */
export function outputComparer(ignoreOutputFields: readonly string[] = []): (a: unknown, b: unknown) => boolean {
  const pointers = ignoreOutputFields.map((p) => p.split('/').slice(1).map(unescape));
  // Through JSON first: what a caller receives, so `undefined` fields and -0 compare as they arrive.
  const normal = (v: unknown): unknown => withoutIgnored(JSON.parse(JSON.stringify(v ?? null)) as unknown, pointers);
  return (a, b) => isDeepStrictEqual(normal(a), normal(b));
}
