/**
 * Production inputs a small step away: the same shape with one or two values nudged
 * (a number by one, a character dropped, an element removed, repeated or added, two
 * swapped, an empty array given a few elements).
 * A schema says little about a plugin whose input is "positional arguments, as
 * JSON", and a value drawn from the schema alone seldom reaches the code a fix
 * changed; a nudged production input does, and the original mostly answers it, so a
 * candidate that changes or breaks what the original did there is seen.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isRecord = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where a value sits: the keys and indexes from the root. */
type Path = (string | number)[];

/** Every node's path, the root's included. */
function pathsOf(value: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...at, i], out));
  else if (isRecord(value)) for (const [key, item] of Object.entries(value)) pathsOf(item, [...at, key], out);
  return out;
}

function getAt(value: Json, path: Path): Json {
  let node: Json = value;
  for (const step of path) node = (Array.isArray(node) ? node[step as number] : (node as Record<string, Json>)[step as string]) ?? null;
  return node;
}

function setAt(value: Json, path: Path, replacement: Json): Json {
  if (path.length === 0) return replacement;
  const [step, ...rest] = path;
  if (Array.isArray(value)) return value.map((item, i) => (i === step ? setAt(item, rest, replacement) : item));
  if (isRecord(value)) return { ...value, [step as string]: setAt(value[step as string] ?? null, rest, replacement) };
  return value;
}

type Pick = <T>(items: readonly T[]) => T;

function nudgeNumber(n: number, pick: Pick): number {
  if (Number.isInteger(n)) return pick([n + 1, n - 1, n + 1, n - 1, n + 2, n * 2, -n, 0, n + 10]);
  return pick([n + 1, n - 1, n * 2, n / 2, Math.round(n), 0, -n]);
}

function nudgeString(s: string, pick: Pick, next: () => number, donors: readonly string[]): string {
  const at = Math.floor(next() * Math.max(1, s.length));
  const ways = [
    () => s.slice(0, at) + s.slice(at + 1),
    () => s.slice(0, at) + (s[at] ?? 'a') + s.slice(at),
    () => (s === s.toUpperCase() ? s.toLowerCase() : s.toUpperCase()),
    () => s.slice(0, Math.max(0, s.length - 1)),
    () => `${s} `,
    () => (donors.length > 0 ? pick(donors) : s.split('').reverse().join('')),
    // A string that holds a number is likely read as one: nudge the number.
    () => (/^-?\d+$/.test(s.trim()) ? String(nudgeNumber(Number(s), pick)) : s.split('').reverse().join('')),
  ];
  return pick(ways)();
}

/**
 * An array with one element more (a neighbour's copy, nudged) or less, repeated, moved.
 * An empty array grows from the input's other values: a crash on `[]` is common, and
 * the same call with a few elements is where the original works.
 */
function nudgeArray(items: Json[], pick: Pick, next: () => number, scalars: readonly Json[]): Json[] {
  if (items.length === 0) {
    const seed = scalars.length > 0 ? pick(scalars) : 1;
    if (typeof seed === 'number') return pick([[seed], [seed, seed + 1], [seed - 2, seed, seed + 3]]);
    return typeof seed === 'string' ? pick([[seed], [seed, `${seed}a`]]) : [seed];
  }
  const i = Math.floor(next() * items.length);
  const j = Math.floor(next() * items.length);
  const grown = (item: Json): Json => (typeof item === 'number' ? nudgeNumber(item, pick) : item);
  const ways = [
    () => items.filter((_, k) => k !== i),
    () => [...items.slice(0, i + 1), items[i]!, ...items.slice(i + 1)],
    () => items.map((item, k) => (k === i ? items[j]! : k === j ? items[i]! : item)),
    () => [...items].reverse(),
    () => items.slice(0, i),
    () => [...items.slice(0, i + 1), grown(items[i]!), ...items.slice(i + 1)],
  ];
  return pick(ways)();
}

/** One value of the input changed a little: a leaf nudged, or an array's elements dropped, repeated or moved. */
function nudge(input: Json, next: () => number, donors: readonly string[], scalars: readonly Json[]): Json {
  const pick: Pick = (items) => items[Math.floor(next() * items.length)]!;
  const paths = pathsOf(input).filter((p) => {
    const node = getAt(input, p);
    return typeof node === 'number' || typeof node === 'string' || typeof node === 'boolean' || Array.isArray(node);
  });
  if (paths.length === 0) return input;
  const path = pick(paths);
  const node = getAt(input, path);
  if (typeof node === 'number') return setAt(input, path, nudgeNumber(node, pick));
  if (typeof node === 'string') return setAt(input, path, nudgeString(node, pick, next, donors));
  if (typeof node === 'boolean') return setAt(input, path, !node);
  return Array.isArray(node) ? setAt(input, path, nudgeArray(node, pick, next, scalars)) : input;
}

/** The leaves of a value that pass `keep`: its strings, say, or its numbers and strings. */
function leavesOf<T extends Json>(value: Json, keep: (leaf: Json) => leaf is T, out: T[] = []): T[] {
  if (Array.isArray(value)) value.forEach((item) => leavesOf(item, keep, out));
  else if (isRecord(value)) Object.values(value).forEach((item) => leavesOf(item, keep, out));
  else if (keep(value)) out.push(value);
  return out;
}

const isString = (leaf: Json): leaf is string => typeof leaf === 'string';
const isScalar = (leaf: Json): leaf is number | string => typeof leaf === 'number' || typeof leaf === 'string';

/**
 * A neighbour of one of the seeds: one to three nudges away. `next` is the caller's
 * seeded generator, so the same seeds give the same neighbours.
 */
export function neighbourOf(seeds: readonly unknown[], next: () => number): unknown {
  const json = seeds.filter((s): s is Json => s !== undefined) as Json[];
  if (json.length === 0) return undefined;
  const donors = [...new Set(json.flatMap((s) => leavesOf(s, isString)))];
  const scalars = [...new Set(json.flatMap((s) => leavesOf(s, isScalar)))];
  let input: Json = json[Math.floor(next() * json.length)] ?? null;
  const steps = 1 + (next() < 0.35 ? 1 : 0) + (next() < 0.15 ? 1 : 0);
  for (let k = 0; k < steps; k++) input = nudge(input, next, donors, scalars);
  return input;
}
