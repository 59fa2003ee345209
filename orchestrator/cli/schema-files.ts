import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/files.ts';
import { STEWARD_ROOT } from '../core/steward-root.ts';
import { errorEventSchema } from '../ingest/event.ts';
import { configSchema } from '../library/config.ts';
import { historyEntrySchema } from '../library/history.ts';
import { manifestSchema } from '../library/manifest.ts';
import { playbookSchema } from '../library/playbook.ts';
import { defectsFileSchema } from '../../evals/harness/mutate/index.ts';
import { resultsSchema } from '../../evals/harness/results.ts';
import { suiteSchema, taskSchema } from '../../evals/harness/task.ts';

/** Every external format's JSON Schema, generated from its zod schema: never written by hand. */
const FORMATS = {
  'steward.config.schema.json': configSchema,
  'plugin.schema.json': manifestSchema,
  'history-entry.schema.json': historyEntrySchema,
  'error-event.schema.json': errorEventSchema,
  'playbook.schema.json': playbookSchema,
  'eval-suite.schema.json': suiteSchema,
  'eval-task.schema.json': taskSchema,
  'eval-results.schema.json': resultsSchema,
  'eval-defects.schema.json': defectsFileSchema,
} as const;

/** Beside the format references in docs/specs/, which link them. */
export const SCHEMA_DIR = join(STEWARD_ROOT, 'docs', 'specs');

export function renderSchemas(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, schema] of Object.entries(FORMATS)) {
    // "input": what a person writes, where fields with defaults may be left out.
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    out.set(file, `${JSON.stringify(json, null, 2)}\n`);
  }
  return out;
}

export function writeSchemas(dir = SCHEMA_DIR): string[] {
  const written: string[] = [];
  for (const [file, text] of renderSchemas()) {
    writeFileAtomic(join(dir, file), text);
    written.push(file);
  }
  return written;
}

/** Files that differ from what the zod schemas generate now. */
export function staleSchemas(dir = SCHEMA_DIR): string[] {
  return [...renderSchemas()].filter(([file, text]) => !existsSync(join(dir, file)) || readFileSync(join(dir, file), 'utf8') !== text).map(([file]) => file);
}
