import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { messageOf } from '../../../orchestrator/core/errors.ts';
import { join } from 'node:path';
import type { FixRequest } from '../types.ts';
import { COSTLY_EARLY, fromTemplates, PER_SITE, tried, weave, type Proposed, type Tried } from './candidates.ts';
import { ownFrame, readSource } from './sites.ts';
import { applyEdits } from './source.ts';

const HELPER = join(import.meta.dirname, 'python', 'templates.py');
const PY_FILE = /\.py$/;

/**
 * What the Python helper prints: its one contract with this side, so a helper that
 * changed (or broke) is one clear problem and not a crash here.
 */
const helperOutput = z.object({
  fixes: z.array(
    z.object({
      site: z.int(),
      rank: z.number(),
      file: z.string(),
      template: z.string(),
      rationale: z.string(),
      edits: z.array(z.object({ start: z.int().min(0), end: z.int().min(0), text: z.string() })),
      preference: z.number().optional(),
      refuses: z.object({ type: z.string(), message: z.string() }).optional(),
      refusedPath: z.array(z.string()).optional(),
      tier: z.enum(['template', 'cheap', 'costly']).optional(),
    }),
  ),
  /** The statements visited, in the order of `rank`, and why each: a frame, a control of one, a definition it reads, a ranked line, an earlier statement. */
  targets: z.array(z.object({ rank: z.int(), site: z.int(), file: z.string(), line: z.int(), why: z.string() })).optional(),
});
type PythonFix = Proposed & z.output<typeof helperOutput>['fixes'][number];

/** The most the helper may print: a plugin's fixes, as JSON. */
const HELPER_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * The helper run with `input` on its stdin, asynchronously: a worker's event loop (its
 * run lock's renewal, the host's calls) goes on while Python parses the plugin.
 */
function spawnHelper(input: string): Promise<{ code: number | null; stdout: string; stderr: string; failed?: string }> {
  return new Promise((resolve) => {
    // Debian's interpreter where there is one (the one .ci/setup installs), else the PATH's.
    const child = spawn(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-I', HELPER], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      signal: AbortSignal.timeout(60_000),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let failed: string | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > HELPER_OUTPUT_BYTES) {
        failed ??= `it printed more than ${HELPER_OUTPUT_BYTES} bytes`;
        child.kill('SIGKILL');
      } else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => {
      failed ??= error.name === 'AbortError' ? 'it ran past 60 s' : error.message;
    });
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ...(failed ? { failed } : {}) }));
    // A helper that died before reading all of it fails by its exit, not by this pipe.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/**
 * The helper on the given files and sites (statements by file and line; `alone` for a
 * ranked line without a frame's surroundings), for the error the reproduction threw:
 * its fixes and the statements it visited, or why it gave none.
 */
export async function runPythonHelper(
  files: Record<string, string>,
  sites: readonly { file: string; line: number; alone?: boolean }[],
  error: { type: string; message: string } | null,
): Promise<z.output<typeof helperOutput> | { problem: string }> {
  const run = await spawnHelper(JSON.stringify({ files, sites, error }));
  if (run.failed || run.code !== 0) return { problem: `the Python template helper failed: ${(run.failed ?? run.stderr).trim().split('\n').at(-1) ?? ''}` };
  let parsed: ReturnType<typeof helperOutput.safeParse>;
  try {
    parsed = helperOutput.safeParse(JSON.parse(run.stdout));
  } catch (error) {
    return { problem: `the Python template helper printed no JSON: ${messageOf(error)}` };
  }
  if (!parsed.success) return { problem: `the Python template helper's answer is not what this side reads: ${parsed.error.issues[0]?.message ?? ''}` };
  return parsed.data;
}

/** How many of the most suspicious statements the operator families visit. */
const MUTATION_SITES = 10;

/** How much more often a statement gets a turn than the next one down (see `weave`). */
const STRIDE = 6;

/** The share of the budget kept for the operator families: the ladder's last rung must not be starved by the templates. */
const MUTATION_SHARE = 1 / 2;

/** Candidates of the costly families one statement may contribute: a statement inserted, a check narrowed, negated or deleted. */
const COSTLY_PER_SITE = 6;

/**
 * Candidate patches of a Python plugin, made by a helper on Python's own `ast` (it
 * parses the plugin's files, it runs none of them): the fix templates (guard,
 * null-guard, coercion) and the operator families with the JavaScript side's names.
 * The helper visits the in-app frames' statements, the `if`s and loops that control
 * the first frame's and the last definitions of what it reads, the lines Ochiai ranks
 * highest, then the ten statements before each frame's in its function. As for
 * JavaScript: templates first, then the cheap families (one token, a name, a clause)
 * over the most suspicious statements (with the costly ones of the first two), then
 * the costly ones of the rest, half the budget kept for the families.
 */
export async function generatePython(
  request: FixRequest,
  limit: number,
  spectrum: readonly { file: string; line: number }[] = [],
): Promise<{ sites: number; candidates: Tried[]; problem?: string }> {
  const files: Record<string, string> = {};
  const seen = new Set<string>();
  const frames = request.suspects.filter(ownFrame).map((s) => ({ file: s.file, line: s.line }));
  const ranked = spectrum.filter((s) => PY_FILE.test(s.file)).map((s) => ({ file: s.file, line: s.line, alone: true }));
  const sites = [...frames, ...ranked].flatMap((s) => {
    const text = files[s.file] ?? readSource(request.dir, s.file, PY_FILE);
    if (text === undefined || seen.has(`${s.file}:${s.line}`)) return [];
    seen.add(`${s.file}:${s.line}`);
    files[s.file] = text;
    return [s];
  });
  if (sites.length === 0) return { sites: 0, candidates: [] };
  const helped = await runPythonHelper(files, sites, request.reproduction.error ?? null);
  if ('problem' in helped) return { sites: sites.length, candidates: [], problem: helped.problem };
  const fixes: PythonFix[] = helped.fixes;
  // One list per statement (rank) and tier, in rank order; a text two statements make belongs to the one tried first.
  const lists = { template: new Map<number, Tried[]>(), cheap: new Map<number, Tried[]>(), costly: new Map<number, Tried[]>() };
  const made = new Set<string>();
  for (const fix of [...fixes].sort((a, b) => a.rank - b.rank || a.site - b.site)) {
    const tier = lists[fix.tier ?? 'template'];
    const list = tier.get(fix.rank) ?? [];
    tier.set(fix.rank, list);
    const original = files[fix.file]!;
    const changed = applyEdits(original, fix.edits);
    if (list.length >= (fix.tier === 'costly' ? COSTLY_PER_SITE : PER_SITE) || changed === original || made.has(`${fix.file}\0${changed}`)) continue;
    made.add(`${fix.file}\0${changed}`);
    list.push(tried(fix.file, original, changed, fix));
  }
  const ranks = [...new Set(fixes.map((f) => f.rank))].sort((a, b) => a - b);
  const top = new Set(ranks.slice(0, MUTATION_SITES));
  const tier = (map: Map<number, Tried[]>, only?: Set<number>): Tried[][] => ranks.filter((r) => !only || only.has(r)).map((r) => map.get(r) ?? []);
  const costly = tier(lists.costly, top);
  const mutations = [...weave([...tier(lists.cheap, top), ...costly.slice(0, COSTLY_EARLY)], STRIDE), ...weave(costly.slice(COSTLY_EARLY), STRIDE)];
  const templates = weave(tier(lists.template), STRIDE).slice(0, limit - Math.min(mutations.length, Math.ceil(limit * MUTATION_SHARE)));
  return { sites: sites.length, candidates: [...fromTemplates(templates), ...mutations].slice(0, limit) };
}
