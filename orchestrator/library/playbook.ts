import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { StewardError } from '../core/errors.ts';
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

export type PlaybookFrontMatter = z.output<typeof playbookSchema>;

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
    throw new StewardError('E_PLAYBOOK_INVALID', `front matter is not YAML: ${(error as Error).message.split('\n')[0]}`, { file });
  }
  const result = playbookSchema.safeParse(raw);
  if (!result.success) {
    const [first] = problemsFromZod(result.error);
    throw new StewardError('E_PLAYBOOK_INVALID', first?.message ?? 'invalid front matter', { file, path: first?.path ?? '$' });
  }
  return { front: result.data, body: match[2] ?? '', hash: createHash('sha256').update(text).digest('hex').slice(0, 16) };
}
