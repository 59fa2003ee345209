import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { messageOf, StewardError } from '../../orchestrator/core/errors.ts';
import { writeJsonAtomic } from '../../orchestrator/core/files.ts';
import { attemptSchema, baselineSchema, type Attempt, type Baseline } from './results.ts';

export const OUT_FILES = { config: 'eval.json', attempts: 'attempts.jsonl', baselines: 'baselines.json', results: 'results.json' } as const;

/**
 * The time the eval has taken so far, over every session that did attempts: a resumed
 * eval adds to it, and a session with nothing left to do leaves it as it was.
 */
const progressSchema = z.object({ startedAt: z.string(), finishedAt: z.string(), wallMs: z.number().min(0), concurrency: z.int().min(1) });
export type Progress = z.output<typeof progressSchema>;

const evalFileSchema = z.object({ fingerprint: z.string(), progress: progressSchema.optional() });

export interface OpenedOut {
  done: Attempt[];
  baselines: Record<string, Baseline>;
  /** What earlier sessions recorded of their time, if any did. */
  progress: Progress | undefined;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StewardError('E_EVAL_OUT_MISMATCH', `cannot be read: ${messageOf(error)}`, { file, hint: 'give another --out, or --fresh to start over' });
  }
}

/** An eval finished before eval.json kept its progress: its results.json has the figures, whatever else it holds. */
function progressFromResults(out: string): Progress | undefined {
  const file = join(out, OUT_FILES.results);
  if (!existsSync(file)) return undefined;
  try {
    return progressSchema.safeParse(JSON.parse(readFileSync(file, 'utf8'))).data;
  } catch {
    return undefined;
  }
}

function readAttempts(file: string): Attempt[] {
  const done: Attempt[] = [];
  if (!existsSync(file)) return done;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    // A line cut short by a kill is dropped: its attempt is simply done again.
    try {
      const parsed = attemptSchema.safeParse(JSON.parse(line));
      if (parsed.success) done.push(parsed.data);
    } catch {
      continue;
    }
  }
  return done;
}

function readBaselines(file: string): Record<string, Baseline> {
  const baselines: Record<string, Baseline> = {};
  if (!existsSync(file)) return baselines;
  for (const [task, value] of Object.entries(readJson(file) as Record<string, unknown>)) {
    const parsed = baselineSchema.safeParse(value);
    if (parsed.success) baselines[task] = parsed.data;
  }
  return baselines;
}

/**
 * The out dir remembers the eval it holds: a killed eval resumes with the attempts it
 * recorded. Other settings, or tasks changed since, are refused, never mixed in.
 */
export function openOut(out: string, fingerprint: string): OpenedOut {
  mkdirSync(out, { recursive: true });
  const configFile = join(out, OUT_FILES.config);
  const attemptsFile = join(out, OUT_FILES.attempts);
  let progress: Progress | undefined;
  if (existsSync(configFile)) {
    const previous = readJson(configFile) as { fingerprint?: unknown };
    if (previous.fingerprint !== fingerprint) {
      throw new StewardError('E_EVAL_OUT_MISMATCH', 'holds an eval with other settings (suite, tasks or their contents, fixer, model, playbook, repeats or timeout)', {
        file: configFile,
        hint: 'give another --out, or --fresh to start over',
      });
    }
    progress = evalFileSchema.safeParse(previous).data?.progress ?? progressFromResults(out);
  } else if (existsSync(attemptsFile)) {
    throw new StewardError('E_EVAL_OUT_MISMATCH', 'holds attempts of an eval whose settings are unknown (eval.json is missing)', {
      file: out,
      hint: 'give another --out, or --fresh to start over',
    });
  } else {
    writeJsonAtomic(configFile, { fingerprint });
  }
  return { done: readAttempts(attemptsFile), baselines: readBaselines(join(out, OUT_FILES.baselines)), progress };
}

/** Kept after every attempt, so that a killed session's time still counts when the eval is resumed. */
export function saveProgress(out: string, fingerprint: string, progress: Progress): void {
  writeJsonAtomic(join(out, OUT_FILES.config), { fingerprint, progress });
}

/** Whether `out` may be wiped by --fresh: empty, absent, or an eval's own directory. */
export function isEvalOut(out: string): boolean {
  return !existsSync(out) || readdirSync(out).length === 0 || existsSync(join(out, OUT_FILES.config));
}
