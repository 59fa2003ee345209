/**
 * The example plugin library under plugins/: every plugin's own test suite passes
 * when run exactly as its manifest says, and every plugin's latent defect (recorded
 * in orchestrator/cli/demo-defects/<plugin>.json, outside the plugin) really fires on its
 * trigger input while a healthy input still works.
 *
 * Self-contained apart from steward's own manifest and history validators,
 * only real child processes, as the host would run them.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { historyEntrySchema } from '../../orchestrator/library/history.ts';
import { checkManifest } from '../../orchestrator/library/manifest.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PLUGINS_DIR = join(ROOT, 'plugins');
const DEFECTS_DIR = join(ROOT, 'orchestrator', 'cli', 'demo-defects');
const INVOKE_NODE = join(DEFECTS_DIR, 'invoke-node-plugin.mjs');

const PLUGINS = ['csv-import', 'webhook-verify', 'money-format', 'paginate', 'unit-convert', 'log-summary'] as const;

const MANIFEST_KEYS = new Set([
  '$schema', 'name', 'version', 'description', 'runtime', 'entry', 'test', 'env',
  'interface', 'limits', 'requires', 'owners', 'upstream', 'playbook',
]);

interface Manifest {
  name: string;
  version: string;
  runtime: 'node' | 'python' | 'command';
  entry: string;
  test: { command: string[]; format: 'tap' | 'junit' | 'exit-code'; report?: string; timeoutMs?: number };
  env: { name: string; required: boolean; secret: boolean; description: string }[];
  interface: { input: Record<string, unknown>; output: Record<string, unknown> };
  requires: { files: string[]; gpu: boolean; bins: string[] };
  [key: string]: unknown;
}

interface DefectFixture {
  plugin: string;
  summary: string;
  category: string;
  tier: number;
  location: { file: string; line: number };
  env?: Record<string, string>;
  trigger: { input: unknown };
  expectedError: { type: string; messageIncludes: string };
  fix: string;
  fixable: boolean;
  healthyInput: unknown;
}

interface ErrorInfo {
  type: string;
  message: string;
  stack: string;
}

type Outcome = { ok: true; output: unknown } | { ok: false; error: ErrorInfo; detail: string };

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a plugin sees from the host: ours, minus anything that would reconfigure node or vitest. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || key === 'NODE_TEST_CONTEXT' || key.startsWith('VITEST')) continue;
    env[key] = value;
  }
  return env;
}

function run(command: string, args: string[], options: { cwd: string; input?: string; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorInfo(value: unknown): ErrorInfo | undefined {
  if (!isRecord(value) || typeof value.type !== 'string' || typeof value.message !== 'string') return undefined;
  return { type: value.type, message: value.message, stack: typeof value.stack === 'string' ? value.stack : '' };
}

/** Counts TAP results, nested subtests included (node's reporter indents them). */
function tapCounts(stdout: string): { passed: number; failed: number } {
  const lines = stdout.split('\n');
  return {
    passed: lines.filter((line) => /^\s*ok \d+/.test(line)).length,
    failed: lines.filter((line) => /^\s*not ok \d+/.test(line)).length,
  };
}

/** Sums the counters of every <testsuite> element in a JUnit XML report. */
function junitCounts(xml: string): { tests: number; failures: number; errors: number; suites: number } {
  const totals = { tests: 0, failures: 0, errors: 0, suites: 0 };
  for (const match of xml.matchAll(/<testsuite\b([^>]*)>/g)) {
    const attrs = new Map<string, string>();
    for (const attr of (match[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)) attrs.set(attr[1] ?? '', attr[2] ?? '');
    totals.suites += 1;
    totals.tests += Number(attrs.get('tests') ?? 0);
    totals.failures += Number(attrs.get('failures') ?? 0);
    totals.errors += Number(attrs.get('errors') ?? 0);
  }
  return totals;
}

/** Runs one `execute` the way the host would for the plugin's runtime. */
async function invoke(pluginDir: string, manifest: Manifest, input: unknown, env: Record<string, string>): Promise<Outcome> {
  if (manifest.runtime === 'node') {
    // Through a child with tsx loaded, so TypeScript entries load exactly like JS ones.
    const result = await run('node', ['--import', 'tsx', INVOKE_NODE, manifest.entry, pluginDir], {
      cwd: pluginDir,
      input: JSON.stringify({ input, env }),
    });
    const detail = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
    expect(result.code, detail).toBe(0);
    const outcome: unknown = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? 'null');
    if (isRecord(outcome) && outcome.ok === true) return { ok: true, output: outcome.output };
    const error = isRecord(outcome) ? errorInfo(outcome.error) : undefined;
    if (!error) throw new Error(`unexpected harness output: ${detail}`);
    return { ok: false, error, detail };
  }

  const result = await run(join(pluginDir, manifest.entry), [], {
    cwd: pluginDir,
    input: JSON.stringify({ op: 'execute', input }),
  });
  const detail = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  if (result.code === 0) return { ok: true, output: JSON.parse(result.stdout) as unknown };
  const lastLine = result.stderr.trim().split('\n').at(-1) ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(lastLine);
  } catch {
    parsed = undefined;
  }
  const error = isRecord(parsed) ? errorInfo(parsed.error) : undefined;
  return { ok: false, error: error ?? { type: 'Error', message: result.stderr.trim(), stack: '' }, detail };
}

const ajv = new Ajv({ allErrors: true, strict: false });

describe.each(PLUGINS)('example plugin %s', (name) => {
  const pluginDir = join(PLUGINS_DIR, name);
  const manifest = readJson<Manifest>(join(pluginDir, 'plugin.json'));
  const fixture = readJson<DefectFixture>(join(DEFECTS_DIR, `${name}.json`));

  it('has a manifest that follows the contract', () => {
    expect(Object.keys(manifest).filter((key) => !MANIFEST_KEYS.has(key))).toEqual([]);
    expect(manifest.name).toBe(name);
    expect(manifest).not.toHaveProperty('upstream');
    expect(manifest).not.toHaveProperty('playbook');
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(existsSync(join(pluginDir, manifest.entry))).toBe(true);
    for (const file of manifest.requires.files) expect(existsSync(join(pluginDir, file)), file).toBe(true);
    expect(existsSync(join(pluginDir, 'AGENT.md'))).toBe(true);
    // The shared playbook reaches the plugin through steward's relative link.
    expect(readlinkSync(join(pluginDir, '.steward', 'PLAYBOOK.md'))).toBe('../../../templates/linked/PLAYBOOK.md');
    expect(checkManifest(pluginDir, name).problems).toEqual([]);
    expect(ajv.validateSchema(manifest.interface.input), 'interface.input').toBe(true);
    expect(ajv.validateSchema(manifest.interface.output), 'interface.output').toBe(true);
  });

  it('has a well-formed operational history', () => {
    const lines = readFileSync(join(pluginDir, '.steward', 'history.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(3);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(historyEntrySchema.safeParse(entry).success, line).toBe(true);
      expect(Object.keys(entry).every((key) => ['at', 'type', 'summary', 'version'].includes(key)), line).toBe(true);
      expect(Number.isNaN(Date.parse(String(entry.at))), line).toBe(false);
      expect(['release', 'incident', 'fix', 'note']).toContain(entry.type);
      expect(typeof entry.summary).toBe('string');
    }
  });

  it('passes its own test suite via test.command', async () => {
    const [command, ...args] = manifest.test.command;
    if (!command) throw new Error('test.command is empty');
    const report = manifest.test.report ? join(pluginDir, manifest.test.report) : undefined;
    if (report) rmSync(report, { force: true }); // never read a stale report

    const result = await run(command, args, { cwd: pluginDir, timeoutMs: manifest.test.timeoutMs ?? 60_000 });
    const detail = `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
    expect(result.code, detail).toBe(0);

    if (manifest.test.format === 'tap') {
      expect(result.stdout, detail).toMatch(/^TAP version 1[34]$/m);
      const counts = tapCounts(result.stdout);
      expect(counts.failed, detail).toBe(0);
      expect(counts.passed, detail).toBeGreaterThanOrEqual(3);
    } else {
      expect(manifest.test.format).toBe('junit');
      if (!report) throw new Error('junit format without test.report');
      expect(existsSync(report), detail).toBe(true);
      const counts = junitCounts(readFileSync(report, 'utf8'));
      expect(counts.suites).toBeGreaterThanOrEqual(1);
      expect(counts.tests).toBeGreaterThanOrEqual(3);
      expect(counts.failures).toBe(0);
      expect(counts.errors).toBe(0);
    }
  });

  it('records its latent defect outside the plugin', () => {
    expect(fixture.plugin).toBe(name);
    expect(fixture.fixable).toBe(true);
    expect([1, 2]).toContain(fixture.tier);
    const source = readFileSync(join(pluginDir, fixture.location.file), 'utf8').split('\n');
    expect(source[fixture.location.line - 1]?.trim(), 'location.line points at code').toBeTruthy();
    // AGENT.md must not give the defect away; the fix text is for humans only.
    expect(readFileSync(join(pluginDir, 'AGENT.md'), 'utf8')).not.toContain(fixture.expectedError.messageIncludes);
  });

  it('fails on the trigger input with the recorded error', async () => {
    const outcome = await invoke(pluginDir, manifest, fixture.trigger.input, fixture.env ?? {});
    if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome.output)}`);
    expect(outcome.error.type, outcome.detail).toBe(fixture.expectedError.type);
    expect(outcome.error.message, outcome.detail).toContain(fixture.expectedError.messageIncludes);
    // The trigger is a valid request: the host would have let it through.
    const validInput = ajv.validate(manifest.interface.input, fixture.trigger.input);
    expect(validInput, ajv.errorsText(ajv.errors)).toBe(true);
  });

  it('succeeds on the healthy input with output matching interface.output', async () => {
    const validInput = ajv.validate(manifest.interface.input, fixture.healthyInput);
    expect(validInput, ajv.errorsText(ajv.errors)).toBe(true);
    const outcome = await invoke(pluginDir, manifest, fixture.healthyInput, fixture.env ?? {});
    if (!outcome.ok) throw new Error(`expected success, got ${outcome.error.type}: ${outcome.error.message}\n${outcome.detail}`);
    const validOutput = ajv.validate(manifest.interface.output, outcome.output);
    expect(validOutput, ajv.errorsText(ajv.errors)).toBe(true);
  });
});
