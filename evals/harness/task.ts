import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { StewardError } from '../../orchestrator/core/errors.ts';
import { problemsFromZod, readJsonFile } from '../../orchestrator/core/json.ts';
import { errorEventSchema } from '../../orchestrator/ingest/event.ts';
import { manifestSchema, type Manifest } from '../../orchestrator/library/manifest.ts';

/** docs/specs/eval-task.md: suite.json. */
export const suiteSchema = z.object({ name: z.string().min(1), description: z.string().default('') }).describe('An eval suite (suite.json): a directory of tasks.');

export const relativeInside = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'must be a relative path inside the plugin');

/** The largest input one traffic entry may carry, as JSON: recorded calls are samples, not bulk data. */
const MAX_TRAFFIC_INPUT_BYTES = 64 * 1024;

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '');

/** Whether an input is small enough to be recorded as traffic. */
export const trafficInputFits = (input: unknown): boolean => jsonBytes(input) <= MAX_TRAFFIC_INPUT_BYTES;

/**
 * One recorded successful call of the plugin as it stands. Both keys are required even
 * when null: a missing `output` is a recording gone wrong, not a call that returned nothing.
 */
const trafficEntrySchema = z
  .strictObject(
    { input: z.unknown().nonoptional('required'), output: z.unknown().nonoptional('required') },
    { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object {"input": …, "output": …}' : undefined) },
  )
  .superRefine((entry, ctx) => {
    const bytes = jsonBytes(entry.input);
    if (bytes > MAX_TRAFFIC_INPUT_BYTES)
      ctx.addIssue({ code: 'custom', path: ['input'], message: `is ${bytes} bytes of JSON; an input may be at most 64 KiB (${MAX_TRAFFIC_INPUT_BYTES} bytes)` });
  });

/**
 * docs/specs/eval-task.md: task.json. Extended compatibly: `hidden.report` (a
 * JUnit file, as test.report in the plugin contract), `env` (the non-secret values
 * the plugin runs with in the eval; the spec's tasks need none) and `traffic`
 * (recorded successful calls, which a fix should keep answering as they were).
 */
export const taskSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-"'),
    title: z.string().min(1),
    tier: z.int().min(1).max(4),
    category: z.string().min(1),
    events: z.array(errorEventSchema).min(1),
    hidden: z
      .object({
        into: relativeInside,
        command: z.array(z.string().min(1)).min(1),
        format: z.enum(['tap', 'junit', 'exit-code']),
        report: relativeInside.optional(),
      })
      .refine((h) => h.format !== 'junit' || h.report !== undefined, { message: 'format "junit" needs "report"', path: ['report'] }),
    expect: z.object({ fix: z.boolean() }),
    env: z.record(z.string(), z.string()).optional(),
    traffic: z.array(trafficEntrySchema).optional(),
  })
  .describe('One eval task (task.json): a plugin with a known defect, its production events and hidden validation tests.');

type SuiteInfo = z.output<typeof suiteSchema>;
export type TaskSpec = z.output<typeof taskSchema>;

export interface EvalTask {
  spec: TaskSpec;
  dir: string;
  pluginDir: string;
  hiddenDir: string;
  manifest: Manifest;
  /** task.json's `traffic`, empty when it has none. */
  traffic: TrafficEntry[];
}

export interface TrafficEntry {
  input: unknown;
  output: unknown;
}

export interface Suite {
  dir: string;
  info: SuiteInfo;
  tasks: EvalTask[];
}

function invalid(message: string, file: string, path?: string): StewardError {
  return new StewardError('E_EVAL_SUITE_INVALID', message, { file, ...(path ? { path } : {}), hint: 'the format is docs/specs/eval-task.md' });
}

function parseWith<T extends z.ZodType>(schema: T, file: string, display: string): z.output<T> {
  const result = schema.safeParse(readJsonFile(file, display));
  if (result.success) return result.data;
  const [first] = problemsFromZod(result.error);
  throw invalid(first?.message ?? 'invalid', display, first?.path);
}

/** A plugin directory's manifest, whatever the directory is called (a task's is `plugin/`). */
export function readPluginManifest(pluginDir: string, display: string): Manifest {
  const file = join(pluginDir, 'plugin.json');
  if (!existsSync(file)) throw invalid('plugin.json is missing', display);
  const manifest = parseWith(manifestSchema, file, join(display, 'plugin.json'));
  if (!existsSync(join(pluginDir, manifest.entry))) throw invalid(`"${manifest.entry}" does not exist in the plugin`, join(display, 'plugin.json'), '$.entry');
  return manifest;
}

/** One task directory, checked as the spec says: every problem names the file and the JSON path. */
function loadTask(dir: string, display: string): EvalTask {
  const file = join(dir, 'task.json');
  if (!existsSync(file)) throw invalid('task.json is missing', display);
  const spec = parseWith(taskSchema, file, join(display, 'task.json'));
  const name = dir.split(/[\\/]/).filter(Boolean).pop();
  if (spec.id !== name) throw invalid(`"${spec.id}" does not equal the directory name "${name}"`, join(display, 'task.json'), '$.id');
  const pluginDir = join(dir, 'plugin');
  const hiddenDir = join(dir, 'hidden');
  for (const [sub, path] of [
    [pluginDir, 'plugin/'],
    [hiddenDir, 'hidden/'],
  ] as const) {
    if (!existsSync(sub) || !statSync(sub).isDirectory()) throw invalid(`${path} is missing`, display);
  }
  const manifest = readPluginManifest(pluginDir, join(display, 'plugin'));
  for (const name of Object.keys(spec.env ?? {})) {
    if (!manifest.env.some((v) => v.name === name))
      throw invalid(`names "${name}", which plugin/plugin.json does not declare in "env"`, join(display, 'task.json'), `$.env.${name}`);
  }
  spec.events.forEach((event, i) => {
    if (event.plugin !== manifest.name) {
      throw invalid(`names plugin "${event.plugin}", but plugin/plugin.json is "${manifest.name}"`, join(display, 'task.json'), `$.events[${i}].plugin`);
    }
  });
  const traffic = (spec.traffic ?? []).map(({ input, output }) => ({ input, output }));
  return { spec, dir, pluginDir, hiddenDir, manifest, traffic };
}

/** A suite directory: suite.json and every subdirectory holding a task.json, sorted by id. */
export function loadSuite(dir: string, only?: readonly string[]): Suite {
  const display = relative(process.cwd(), dir) || '.';
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new StewardError('E_USAGE', `no suite directory "${display}"`);
  const suiteFile = join(dir, 'suite.json');
  if (!existsSync(suiteFile)) throw invalid('suite.json is missing', display);
  const info = parseWith(suiteSchema, suiteFile, join(display, 'suite.json'));
  const ids = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'task.json')))
    .map((entry) => entry.name)
    .sort();
  if (only) {
    const unknown = only.filter((id) => !ids.includes(id));
    if (unknown.length > 0) throw new StewardError('E_USAGE', `no task "${unknown[0]}" in ${display}`, { hint: `tasks: ${ids.join(', ')}` });
  }
  const tasks = ids.filter((id) => !only || only.includes(id)).map((id) => loadTask(join(dir, id), join(display, id)));
  if (tasks.length === 0) throw invalid('holds no task (a subdirectory with a task.json)', display);
  return { dir, info, tasks };
}

/** A digest of everything a task is (task.json, plugin/, hidden/): a resumed eval must not mix attempts of two versions. */
export function taskDigest(task: EvalTask): string {
  const hash = createHash('sha256');
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      hash.update(`${prefix}${name}\0${stat.mode & 0o111 ? 'x' : '-'}\0`);
      if (stat.isSymbolicLink()) hash.update(`-> ${readlinkSync(path)}`);
      else if (stat.isDirectory()) walk(path, `${prefix}${name}/`);
      else if (stat.isFile()) hash.update(readFileSync(path));
      hash.update('\0');
    }
  };
  hash.update(readFileSync(join(task.dir, 'task.json')));
  walk(task.pluginDir, 'plugin/');
  walk(task.hiddenDir, 'hidden/');
  return hash.digest('hex').slice(0, 16);
}
