import { generateSync, type JsonSchema } from 'json-schema-faker';
import { compileJsonSchema } from '../../../orchestrator/core/json-schema.ts';
import { seededRandom } from '../../../orchestrator/core/random.ts';
import { neighbourOf } from './neighbours.ts';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Mixes a generated input with production ones: each field of an object (at any depth)
 * is taken from a seed that has it about half the time, so values look like what the
 * plugin gets (real currency codes, real column names) while the shapes vary.
 */
function crossover(generated: unknown, seeds: readonly unknown[], next: () => number): unknown {
  if (!isRecord(generated)) return next() < 0.5 && seeds.length > 0 ? seeds[Math.floor(next() * seeds.length)] : generated;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(generated)) {
    const donors = seeds.filter((s): s is Record<string, unknown> => isRecord(s) && key in s);
    out[key] =
      donors.length > 0 && next() < 0.5
        ? donors[Math.floor(next() * donors.length)]![key]
        : isRecord(value)
          ? crossover(
              value,
              donors.map((d) => d[key]),
              next,
            )
          : value;
  }
  return out;
}

/** A seed with one field dropped or replaced by a generated value: production inputs, one step away. */
function mutate(seed: unknown, generated: unknown, next: () => number): unknown {
  if (!isRecord(seed)) return generated;
  const keys = Object.keys(seed);
  if (keys.length === 0) return generated;
  const key = keys[Math.floor(next() * keys.length)]!;
  const out = { ...seed };
  if (isRecord(generated) && key in generated) out[key] = generated[key];
  else delete out[key];
  return out;
}

/**
 * Up to `count` distinct inputs that `interface.input` accepts (the host refuses the
 * others before a call, so they say nothing about the plugin): half production's
 * inputs nudged a little (`neighbours.ts`), half generated from the schema, mixed with
 * production's inputs, or those with one field dropped or replaced.
 */
export function generateInputs(schema: Record<string, unknown>, seeds: readonly unknown[], count: number, seed = 1): unknown[] {
  const compiled = compileJsonSchema(schema);
  const valid = (input: unknown): boolean => !compiled.ok || compiled.validate(input) === true;
  const next = seededRandom(seed);
  const seen = new Set(seeds.map((s) => JSON.stringify(s)));
  const out: unknown[] = [];
  const fromSchema = (attempt: number): unknown => {
    try {
      return generateSync(schema as JsonSchema, { seed: seed * 7919 + attempt, maxItems: 6, maxLength: 24, optionalsProbability: 0.7 });
    } catch {
      return undefined;
    }
  };
  for (let attempt = 0; out.length < count && attempt < count * 4; attempt++) {
    const kind = attempt % 2 === 1 && seeds.length > 0 ? 'neighbour' : (['schema', 'crossover', 'mutate'] as const)[Math.floor(attempt / 2) % 3];
    const donor = seeds.length > 0 ? seeds[Math.floor(next() * seeds.length)] : undefined;
    const input =
      kind === 'neighbour'
        ? neighbourOf(seeds, next)
        : donor === undefined || kind === 'schema'
          ? fromSchema(attempt)
          : kind === 'crossover'
            ? crossover(fromSchema(attempt), seeds, next)
            : mutate(donor, fromSchema(attempt), next);
    if (input === undefined) continue;
    const key = JSON.stringify(input);
    if (seen.has(key) || !valid(input)) continue;
    seen.add(key);
    out.push(input);
  }
  return out;
}
