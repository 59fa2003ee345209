import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import { relativePathInside } from '../core/relative-path.ts';
import type { StewardError } from '../core/errors.ts';
import { ManifestError } from '../core/errors.ts';
import { problemsFromZod, parseJsonText, type Problem } from '../core/json.ts';
import { jsonSchemaProblem } from '../core/json-schema.ts';
import { writeFileAtomic } from '../core/files.ts';
import { branchProblem, hasCredentials, remoteProblem } from './git/remote.ts';
import { DEFAULT_DISK_MB } from '../sandbox/disk-quota.ts';
import { PLUGIN_NAME_PATTERN } from './names.ts';
import { reservedEnvProblem } from './plugin-env.ts';

export const MANIFEST_FILE = 'plugin.json';

const pluginPath = relativePathInside('plugin');

const jsonSchemaObject = z.record(z.string(), z.unknown()).superRefine((schema, ctx) => {
  const problem = jsonSchemaProblem(schema);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const envVar = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .superRefine((name, ctx) => {
      const problem = reservedEnvProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: `${problem}; no plugin is given it` });
    }),
  required: z.boolean().default(false),
  secret: z.boolean().default(false),
  description: z.string().default(''),
});

const testSpec = z
  .strictObject({
    command: z.array(z.string().min(1)).min(1).describe('argv, no shell, run from the plugin root'),
    format: z.enum(['tap', 'junit', 'exit-code']),
    report: pluginPath.optional().describe('JUnit XML file, with format "junit" only'),
    timeoutMs: z.int().positive().max(86_400_000).default(60_000),
  })
  .superRefine((test, ctx) => {
    if (test.format === 'junit' && !test.report) {
      ctx.addIssue({ code: 'custom', path: ['report'], message: 'required when format is "junit"' });
    }
    if (test.format !== 'junit' && test.report) {
      ctx.addIssue({ code: 'custom', path: ['report'], message: 'only allowed when format is "junit"' });
    }
  });

export const manifestSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().regex(PLUGIN_NAME_PATTERN, 'must match ^[a-z][a-z0-9-]{1,63}$'),
    version: z.string().refine((v) => semver.valid(v) !== null, 'must be a semver version such as 1.4.2'),
    description: z
      .string()
      .min(1)
      .refine((d) => !d.includes('\n'), 'must be one line'),
    runtime: z.enum(['node', 'python', 'command']),
    entry: pluginPath,
    test: testSpec,
    env: z
      .array(envVar)
      .default([])
      .superRefine((vars, ctx) => {
        const seen = new Set<string>();
        vars.forEach((v, i) => {
          if (seen.has(v.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate variable "${v.name}"` });
          seen.add(v.name);
        });
      }),
    interface: z
      .strictObject({
        input: jsonSchemaObject.default({}),
        output: jsonSchemaObject.default({}),
        ignoreOutputFields: z
          .array(z.string().regex(/^(\/([^~/]|~[01])*)+$/, 'must be a JSON Pointer such as /generatedAt; a * token stands for any key or index'))
          .default([])
          .describe('Output fields that differ from call to call (timestamps, generated ids): left out when outputs are compared'),
      })
      .prefault({}),
    limits: z
      .strictObject({
        timeoutMs: z.int().positive().max(86_400_000).default(60_000),
        memoryMb: z.int().positive().max(1_048_576).default(1024),
        diskMb: z.int().min(16).max(65_536).optional().describe(`What the working copy may hold, in MiB (default ${DEFAULT_DISK_MB}); a run that writes more is stopped.`),
      })
      .prefault({}),
    requires: z
      .strictObject({
        files: z.array(pluginPath).default([]),
        gpu: z.boolean().default(false),
        bins: z
          .array(
            z
              .string()
              .min(1)
              .regex(/^[^/\\]+$/, 'must be a command name, not a path'),
          )
          .default([]),
      })
      .prefault({}),
    owners: z.array(z.string().min(1)).default([]),
    upstream: z
      .strictObject({
        url: z.string().superRefine((url, ctx) => {
          const problem = remoteProblem(url) ?? (hasCredentials(url) ? 'carries credentials; use a git credential helper instead' : undefined);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
        branch: z.string().superRefine((branch, ctx) => {
          const problem = branchProblem(branch);
          if (problem) ctx.addIssue({ code: 'custom', message: `is not a branch name: ${problem}` });
        }),
      })
      .optional(),
    playbook: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/)
      .optional(),
  })
  .describe('Plugin manifest (plugin.json), per the plugin contract.');

export type Manifest = z.output<typeof manifestSchema>;

export interface ManifestCheck {
  manifest?: Manifest;
  /** The JSON as written, for edits that must not expand defaults. */
  raw?: Record<string, unknown>;
  problems: Problem[];
}

/**
 * Validates a plugin's manifest and the facts it states about the plugin directory
 * (name equals the directory, entry exists). Never throws for bad content.
 */
export function checkManifest(pluginDir: string, dirName: string): ManifestCheck {
  const file = join(pluginDir, MANIFEST_FILE);
  if (!existsSync(file)) return { problems: [{ path: '$', message: `${MANIFEST_FILE} is missing` }] };
  let raw: unknown;
  try {
    raw = parseJsonText(readFileSync(file, 'utf8'), MANIFEST_FILE);
  } catch (error) {
    return { problems: [{ path: '$', message: (error as StewardError).message }] };
  }
  const result = manifestSchema.safeParse(raw);
  if (!result.success) return { problems: problemsFromZod(result.error) };
  const manifest = result.data;
  const problems: Problem[] = [];
  if (manifest.name !== dirName) {
    problems.push({ path: '$.name', message: `"${manifest.name}" does not equal the directory name "${dirName}"` });
  }
  if (!existsSync(join(pluginDir, manifest.entry))) {
    problems.push({ path: '$.entry', message: `"${manifest.entry}" does not exist in the plugin` });
  }
  return { manifest, raw: raw as Record<string, unknown>, problems };
}

/** Loads a manifest or throws one `ManifestError` naming the file and the first JSON path. */
export function loadManifest(pluginDir: string, displayFile: string): Manifest {
  const dirName = pluginDir.split(/[\\/]/).filter(Boolean).pop() ?? '';
  const { manifest, problems } = checkManifest(pluginDir, dirName);
  if (problems.length > 0 || !manifest) {
    const first = problems[0] ?? { path: '$', message: 'invalid' };
    const rest =
      problems.length > 1
        ? ` (and ${problems.length - 1} more: ${problems
            .slice(1)
            .map((p) => `${p.path}: ${p.message}`)
            .join('; ')})`
        : '';
    throw new ManifestError(`${first.message}${rest}`, { file: displayFile, path: first.path }, problems);
  }
  return manifest;
}

/** Rewrites plugin.json through `edit`, atomically, keeping the author's fields as written. */
export function updateManifestFile(pluginDir: string, edit: (raw: Record<string, unknown>) => void): void {
  const file = join(pluginDir, MANIFEST_FILE);
  const raw = parseJsonText(readFileSync(file, 'utf8'), MANIFEST_FILE) as Record<string, unknown>;
  edit(raw);
  writeFileAtomic(file, `${JSON.stringify(raw, null, 2)}\n`);
}
