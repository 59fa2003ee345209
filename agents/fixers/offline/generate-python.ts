import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { messageOf } from '../../../orchestrator/core/errors.ts';
import { join } from 'node:path';
import type { FixRequest } from '../types.ts';
import { interleave, PER_SITE, tried, type Proposed, type Tried } from './candidates.ts';
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
    }),
  ),
});
type PythonFix = Proposed & z.output<typeof helperOutput>['fixes'][number];

/**
 * Candidate patches of a Python plugin: guard, boundary, operator and coercion
 * templates made by a helper on Python's own `ast` (it parses the plugin's files, it
 * runs none of them), at the in-app frames' statements and the lines Ochiai ranks
 * highest, then the ten statements before each frame's in its function.
 */
export function generatePython(
  request: FixRequest,
  limit: number,
  spectrum: readonly { file: string; line: number }[] = [],
): { sites: number; candidates: Tried[]; problem?: string } {
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
  // Debian's interpreter where there is one (the one .ci/setup installs), else the PATH's.
  const run = spawnSync(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-I', HELPER], {
    input: JSON.stringify({ files, sites, error: request.reproduction.error ?? null }),
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  if (run.status !== 0)
    return { sites: sites.length, candidates: [], problem: `the Python template helper failed: ${(run.error?.message ?? run.stderr).trim().split('\n').at(-1) ?? ''}` };
  let parsed: ReturnType<typeof helperOutput.safeParse>;
  try {
    parsed = helperOutput.safeParse(JSON.parse(run.stdout));
  } catch (error) {
    return { sites: sites.length, candidates: [], problem: `the Python template helper printed no JSON: ${messageOf(error)}` };
  }
  if (!parsed.success)
    return { sites: sites.length, candidates: [], problem: `the Python template helper's answer is not what this side reads: ${parsed.error.issues[0]?.message ?? ''}` };
  const fixes: PythonFix[] = parsed.data.fixes;
  // One list per statement (site and rank), made in rank-then-site order (a Map keeps it), then interleaved.
  const lists = new Map<string, Tried[]>();
  const made = new Set<string>();
  // A text two sites make belongs to the one tried first: by rank, then by site.
  for (const fix of [...fixes].sort((a, b) => a.rank - b.rank || a.site - b.site)) {
    const key = `${fix.site}:${fix.rank}`;
    const list = lists.get(key) ?? [];
    lists.set(key, list);
    const original = files[fix.file]!;
    const changed = applyEdits(original, fix.edits);
    if (list.length >= PER_SITE || changed === original || made.has(`${fix.file}\0${changed}`)) continue;
    made.add(`${fix.file}\0${changed}`);
    list.push(tried(fix.file, original, changed, fix));
  }
  return { sites: sites.length, candidates: interleave([...lists.values()]).slice(0, limit) };
}
