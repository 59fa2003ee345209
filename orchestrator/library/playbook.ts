import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { messageOf, StewardError } from '../core/errors.ts';
import { problemsFromZod } from '../core/json.ts';

const fixerName = z.enum(['offline', 'llm', 'hybrid', 'command']);

/** A playbook's front matter: what it prescribes, and the policies the agent graph enforces. */
export const playbookSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
    version: z.string().min(1),
    description: z.string().min(1),
    procedures: z.array(z.enum(['triage', 'debug', 'test', 'document', 'deploy'])).min(1),
    policies: z
      .strictObject({
        stopAfter: z.enum(['issue', 'reproduce', 'propose']).default('propose'),
        requireReproduction: z.boolean().default(true),
        maxChangedLines: z.int().min(1).default(40),
        maxChangedOutputShare: z.number().min(0).max(1).default(0.1).describe('The share of recorded production outputs a fix may change; over it, it is rejected'),
        generatedInputs: z.int().min(0).max(2000).default(200).describe('Inputs generated from interface.input on which a fix is compared with the original'),
        protectedPaths: z.array(z.string()).default([]),
        fixers: z
          .array(
            z.strictObject({
              name: fixerName,
              budget: z
                .strictObject({
                  candidates: z.int().min(1).optional(),
                  iterations: z.int().min(1).optional(),
                  tokens: z.int().min(1).optional(),
                  wallSeconds: z.int().min(1).optional(),
                })
                .default({}),
            }),
          )
          .default([]),
      })
      .prefault({}),
  })
  .describe('Front matter of a playbook (playbooks/<name>.md).');

type PlaybookFrontMatter = z.output<typeof playbookSchema>;

export interface Playbook {
  front: PlaybookFrontMatter;
  body: string;
  /** Content hash: an eval tells two versions of one playbook apart by it. */
  hash: string;
}

/** Parses `---\n<yaml>\n---\n<markdown>`; every error names the file and the path. */
export function parsePlaybook(text: string, file: string): Playbook {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) throw new StewardError('E_PLAYBOOK_INVALID', 'a playbook starts with front matter between two "---" lines', { file });
  let raw: unknown;
  try {
    raw = parseYaml(match[1] ?? '');
  } catch (error) {
    throw new StewardError('E_PLAYBOOK_INVALID', `front matter is not YAML: ${messageOf(error).split('\n')[0]}`, { file });
  }
  const result = playbookSchema.safeParse(raw);
  if (!result.success) {
    const [first] = problemsFromZod(result.error);
    throw new StewardError('E_PLAYBOOK_INVALID', first?.message ?? 'invalid front matter', { file, path: first?.path ?? '$' });
  }
  return { front: result.data, body: match[2] ?? '', hash: createHash('sha256').update(text).digest('hex').slice(0, 16) };
}

type Policies = PlaybookFrontMatter['policies'];
const STOPS = ['issue', 'reproduce', 'propose'] as const;

/**
 * The policies of a plugin's own playbook override, applied on top of the library's:
 * each may only make the agent more careful. The plugin's repository is not the
 * library's maintainers, so an override can stop earlier, require a reproduction,
 * allow fewer changed lines, protect more paths and drop or shrink fixers, never the
 * opposite; what it tries to loosen is kept as the library has it.
 */
export function tightenPolicies(base: Policies, override: Policies): Policies {
  const tighter = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  const fixers =
    override.fixers.length === 0
      ? base.fixers
      : base.fixers.flatMap((fixer) => {
          const narrowed = override.fixers.find((f) => f.name === fixer.name);
          if (!narrowed) return [];
          const budget: typeof fixer.budget = {};
          for (const key of ['candidates', 'iterations', 'tokens', 'wallSeconds'] as const) {
            const value = tighter(fixer.budget[key], narrowed.budget[key]);
            if (value !== undefined) budget[key] = value;
          }
          return [{ name: fixer.name, budget }];
        });
  return {
    stopAfter: STOPS[Math.min(STOPS.indexOf(base.stopAfter), STOPS.indexOf(override.stopAfter))] ?? base.stopAfter,
    requireReproduction: base.requireReproduction || override.requireReproduction,
    maxChangedLines: Math.min(base.maxChangedLines, override.maxChangedLines),
    maxChangedOutputShare: Math.min(base.maxChangedOutputShare, override.maxChangedOutputShare),
    generatedInputs: Math.max(base.generatedInputs, override.generatedInputs),
    protectedPaths: [...new Set([...base.protectedPaths, ...override.protectedPaths])],
    fixers,
  };
}

/** Which policies an override tried to loosen, for doctor and the run's log. */
function loosenedPolicies(base: Policies, override: Policies): string[] {
  const out: string[] = [];
  if (STOPS.indexOf(override.stopAfter) > STOPS.indexOf(base.stopAfter)) out.push(`stopAfter ${override.stopAfter} (library: ${base.stopAfter})`);
  if (base.requireReproduction && !override.requireReproduction) out.push('requireReproduction false');
  if (override.maxChangedLines > base.maxChangedLines) out.push(`maxChangedLines ${override.maxChangedLines} (library: ${base.maxChangedLines})`);
  if (override.maxChangedOutputShare > base.maxChangedOutputShare) out.push(`maxChangedOutputShare ${override.maxChangedOutputShare} (library: ${base.maxChangedOutputShare})`);
  if (override.generatedInputs < base.generatedInputs) out.push(`generatedInputs ${override.generatedInputs} (library: ${base.generatedInputs})`);
  const dropped = base.protectedPaths.filter((p) => !override.protectedPaths.includes(p));
  if (dropped.length > 0 && override.protectedPaths.length > 0) out.push(`protectedPaths without ${dropped.join(', ')}`);
  for (const fixer of override.fixers) {
    const own = base.fixers.find((f) => f.name === fixer.name);
    if (!own) out.push(`fixer ${fixer.name} (not in the library's playbook)`);
  }
  return out;
}

export interface EffectivePlaybook extends Playbook {
  /** An override's own text: the plugin repository's notes, shown to a model as data, never as its procedure. */
  notes?: string;
  /** What an override tried to loosen and did not. */
  loosened: string[];
}

/** The playbook a plugin's agent follows: the library's, tightened by the plugin's override if it has one. */
export function effectivePlaybook(source: { text: string; file: string; base?: { text: string; file: string } }): EffectivePlaybook {
  const own = parsePlaybook(source.text, source.file);
  if (!source.base) return { ...own, loosened: [] };
  const base = parsePlaybook(source.base.text, source.base.file);
  return {
    front: { ...base.front, policies: tightenPolicies(base.front.policies, own.front.policies) },
    body: base.body,
    notes: own.body,
    hash: createHash('sha256').update(`${base.hash}:${own.hash}`).digest('hex').slice(0, 16),
    loosened: loosenedPolicies(base.front.policies, own.front.policies),
  };
}
