import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackedIssue } from '../../agents/trackers/types.ts';
import { mutatePlugin } from '../../evals/harness/mutate/index.ts';
import { autoMutants, tierOf } from '../../evals/harness/mutate/inject.ts';
import { pythonMutants } from '../../evals/harness/mutate/python-mutants.ts';
import type { PipelineOutcome } from '../../evals/harness/outcome.ts';
import type { Baseline } from '../../evals/harness/results.ts';
import { issueIsComplete, measureBaseline, scoreAttempt } from '../../evals/harness/score.ts';
import { loadSuite, type EvalTask } from '../../evals/harness/task.ts';
import type { StewardError } from '../../orchestrator/core/errors.ts';
import type { RunRecord } from '../../orchestrator/runs/types.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { tempDir } from '../helpers/temp.ts';

const SOURCE = join(STEWARD_ROOT, 'evals', 'sources', 'csv-import', 'plugin');
const SHORT_ROW = 'customer_id,name,email,country\nC-1001,Ada Lovelace,ada@example.com,GB\nC-1002,Grace Hopper,grace@example.com\n';
const INPUTS = [{ text: SHORT_ROW }, { text: 'sku;qty\nA-1;2\n\nB-7;1\n', options: { delimiter: ';' } }, { text: 'a,b\n1,2\n', options: { columns: ['left', 'right'] } }];
const DEFECTS = {
  inputs: INPUTS,
  defects: [
    {
      id: 'csv-short-row',
      title: 'A short row crashes the import',
      category: 'null check',
      edits: [{ file: 'src/records.js', find: "const value = fields[c] ?? '';", replace: 'const value = fields[c];' }],
    },
    {
      id: 'csv-quote-delimiter',
      title: 'A job configured with the quote character as delimiter',
      category: 'configuration',
      tier: 4,
      expectFix: false,
      inputs: [...INPUTS.slice(1), { text: 'a"b\n1"2\n', options: { delimiter: '"' } }],
    },
  ],
};

/** A unified diff of one line of src/records.js, relative to the plugin root. */
function patchOf(pluginDir: string, from: string, to: string, file = 'src/records.js'): string {
  const text = readFileSync(join(pluginDir, file), 'utf8');
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.includes(from));
  const context = (i: number): string => ` ${lines[i]}`;
  return [
    `diff --git a/${file} b/${file}`,
    `--- a/${file}`,
    `+++ b/${file}`,
    `@@ -${at},3 +${at},3 @@`,
    context(at - 1),
    `-${lines[at]}`,
    `+${(lines[at] ?? '').replace(from, to)}`,
    context(at + 1),
    '',
  ].join('\n');
}

function issue(body: string, title = 'csv-import'): TrackedIssue {
  return { number: 1, title, body, url: 'local:1', labels: [], state: 'open', comments: [], fingerprint: 'f', plugin: 'csv-import' } as unknown as TrackedIssue;
}

function outcome(patch: string | undefined, issues: TrackedIssue[] = []): PipelineOutcome {
  return {
    runs: [
      {
        run: { id: 'r', state: 'completed', tokensUsed: 0, error: null } as RunRecord,
        events: [{ run: 'r', seq: 1, at: '', kind: 'sandbox', data: { step: 'reproduce', ok: false } }],
      },
    ],
    issues,
    proposals: [],
    ...(patch !== undefined ? { patch } : {}),
    timedOut: false,
  };
}

describe('eval tasks from a correct plugin (mutate), loading and scoring', () => {
  let suite: string;
  let fix: EvalTask;
  let config: EvalTask;
  let baseline: Baseline;

  // The suite outlives one test: made once for the block, removed after it.
  const dir = mkdtempSync(join(tmpdir(), 'steward-eval-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const plugin = join(dir, 'csv-import');
    cpSync(SOURCE, plugin, { recursive: true });
    writeFileSync(join(dir, 'defects.json'), JSON.stringify(DEFECTS));
    suite = join(dir, 'suite');
    const result = await mutatePlugin({ pluginDir: plugin, out: suite, defectsFile: join(dir, 'defects.json'), max: 10 });
    expect(result.skipped).toEqual([]);
    expect(result.written.map((w) => [w.id, w.tier, w.category])).toEqual([
      // Computed: the stack names line 53, where the value is read; the default went missing on line 52.
      ['csv-short-row', 2, 'null check'],
      ['csv-quote-delimiter', 4, 'configuration'],
    ]);
    const loaded = loadSuite(suite);
    [config, fix] = loaded.tasks as [EvalTask, EvalTask];
    baseline = await measureBaseline(fix);
  });

  it('writes tasks in the spec format: events captured from the defective plugin, hidden tests of the correct outputs', () => {
    expect(fix.spec.events).toHaveLength(1);
    expect(fix.spec.events[0]?.error.stack).toMatch(/src\/records\.js:\d+/);
    expect(fix.spec.events[0]?.invocation?.input).toEqual({ text: SHORT_ROW });
    expect(readFileSync(join(fix.pluginDir, 'src', 'records.js'), 'utf8')).toContain('const value = fields[c];');
    expect(readFileSync(join(fix.hiddenDir, 'captured.test.mjs'), 'utf8')).toContain('"country": ""');
    expect(config.spec.expect.fix).toBe(false);
    expect(config.spec.events[0]?.error.message).toMatch(/quote character/);
    // The original fails its hidden tests: they can tell a fix from none.
    expect(baseline.hiddenFailedOnOriginal).toBe(1);
    expect(baseline.hiddenTests).toHaveLength(3);
    expect(baseline.visiblePassed.length).toBeGreaterThan(10);
  });

  it('scores the right fix resolved, and each way of falling short by its reason', async () => {
    const right = await scoreAttempt(fix, baseline, outcome(patchOf(fix.pluginDir, 'fields[c];', "fields[c] ?? '';")));
    expect(right).toMatchObject({ scores: { resolved: true, patch: true, reproduced: true }, reason: null });
    // No crash, but the wrong value: the hidden tests check behaviour.
    const wrong = await scoreAttempt(fix, baseline, outcome(patchOf(fix.pluginDir, 'fields[c];', "fields[c] ?? 'N/A';")));
    expect(wrong).toMatchObject({ scores: { resolved: false }, reason: 'failed-hidden-tests' });
    expect(wrong.detail).toMatch(/captured input 1/);
    const regression = await scoreAttempt(
      fix,
      baseline,
      outcome(`${patchOf(fix.pluginDir, 'fields[c];', "fields[c] ?? '';")}${patchOf(fix.pluginDir, '`column_${index + 1}`', '`col_${index + 1}`')}`),
    );
    expect(regression.reason).toBe('regression');
    expect(regression.detail).toMatch(/duplicate and blank header names/);
    const broken = await scoreAttempt(fix, baseline, outcome(patchOf(fix.pluginDir, 'fields[c];', "fields[c] ?? '';").replace('const value', 'let value')));
    expect(broken.reason).toBe('patch-did-not-apply');
    expect((await scoreAttempt(fix, baseline, outcome(undefined))).reason).toBe('no-candidate');
    // Validated fixes that disagreed were left to a person: scored apart from finding none.
    const abstained = outcome(undefined);
    abstained.runs[0]?.events.push({ run: 'r', seq: 2, at: '', kind: 'disagreement', data: { fixes: 2, validated: 3 } });
    expect(await scoreAttempt(fix, baseline, abstained)).toMatchObject({
      scores: { resolved: false, patch: false },
      reason: 'fixes-disagree',
      detail: "2 validated fixes disagreed on the failing call's answer; none was proposed",
    });
  });

  it('scores a no-fix task correct only with a complete issue and no patch', async () => {
    const event = config.spec.events[0];
    const body = `csv-import: ${event?.error.type}: ${event?.error.message}\n${event?.error.stack}\nInput that reproduces it: {"text": "…", "options": {}}`;
    const complete = await scoreAttempt(config, baseline, outcome(undefined, [issue(body)]));
    expect(complete).toMatchObject({ scores: { correct: true, issue: true, resolved: null }, reason: null });
    const noStack = await scoreAttempt(config, baseline, outcome(undefined, [issue(body.replace(/src\/index\.js/g, 'somewhere'))]));
    expect(noStack).toMatchObject({ scores: { correct: false, issue: false }, reason: 'no-issue' });
    const patched = await scoreAttempt(config, baseline, outcome(patchOf(fix.pluginDir, 'fields[c];', "fields[c] ?? '';"), [issue(body)]));
    expect(patched).toMatchObject({ scores: { correct: false, patch: true }, reason: 'patch-proposed' });
    // A proposal put to a person counts as a patch even before it is published.
    const proposed = outcome(undefined, [issue(body)]);
    proposed.runs[0]?.events.push({ run: 'r', seq: 2, at: '', kind: 'proposal', data: {} });
    expect(await scoreAttempt(config, baseline, proposed)).toMatchObject({ scores: { correct: false, patch: true }, reason: 'patch-proposed' });
    // One issue with the stack and another with the plugin's name are not one complete report.
    const [head, ...rest] = body.split('\n');
    expect(
      (await scoreAttempt(config, baseline, outcome(undefined, [issue(head ?? '', 'report'), issue(rest.join('\n').replace(/csv-import/g, 'it'), 'report')]))).scores.issue,
    ).toBe(false);
    // The group's events differ in detail: an issue that shows any one of them names the error.
    const other = { ...event!, error: { ...event!.error, message: 'delimiter must not be the quote character (column 7)' } };
    const twoEvents: EvalTask = { ...config, spec: { ...config.spec, events: [{ ...event!, error: { ...event!.error, message: 'another message altogether' } }, other] } };
    expect(issueIsComplete(twoEvents, body)).toBe(true);
    expect(issueIsComplete({ ...twoEvents, spec: { ...twoEvents.spec, events: [twoEvents.spec.events[0]!] } }, body)).toBe(false);
    // A run cut short earns no credit for a patch it had not made yet.
    expect(await scoreAttempt(config, baseline, { ...outcome(undefined, [issue(body)]), timedOut: true })).toMatchObject({ scores: { correct: false }, reason: 'timeout' });
  });

  it('refuses a malformed suite with one message naming the file and the JSON path', () => {
    const broken = tempDir();
    cpSync(suite, broken, { recursive: true });
    const taskFile = join(broken, 'csv-short-row', 'task.json');
    const original = readFileSync(taskFile, 'utf8');
    const refused = (edit: (task: Record<string, unknown>) => void): StewardError => {
      const task = JSON.parse(original) as Record<string, unknown>;
      edit(task);
      writeFileSync(taskFile, JSON.stringify(task));
      try {
        loadSuite(broken);
      } catch (error) {
        return error as StewardError;
      }
      throw new Error('loaded');
    };
    expect(refused((t) => (t.tier = 7)).format()).toMatch(/csv-short-row\/task\.json: \$\.tier: /);
    expect(refused((t) => (t.id = 'other')).format()).toMatch(/task\.json: \$\.id: "other" does not equal the directory name/);
    expect(refused((t) => ((t.events as { plugin: string }[])[0]!.plugin = 'csv')).format()).toMatch(/\$\.events\[0\]\.plugin: names plugin "csv"/);
    expect(refused((t) => ((t.hidden as { into: string }).into = '../escape')).format()).toMatch(/\$\.hidden\.into: must be a relative path inside the plugin/);
    expect(refused((t) => (t.events = [])).code).toBe('E_EVAL_SUITE_INVALID');
    expect(refused((t) => (t.env = { SHELL_SECRET: 'x' })).format()).toMatch(/\$\.env\.SHELL_SECRET: names "SHELL_SECRET", which plugin\/plugin\.json does not declare/);
    writeFileSync(taskFile, original);
    rmSync(join(broken, 'csv-short-row', 'hidden'), { recursive: true });
    expect(() => loadSuite(broken)).toThrow(/hidden\/ is missing/);
    expect(() => loadSuite(suite, ['nope'])).toThrow(/no task "nope"/);
    rmSync(join(broken, 'suite.json'));
    expect(() => loadSuite(broken)).toThrow(/suite\.json is missing/);
  });
});

describe('mutate', () => {
  it('refuses a defect whose text is not found, or found twice, naming the defects file', async () => {
    const dir = tempDir();
    const write = (find: string): string => {
      const file = join(dir, `defects-${find.length}.json`);
      writeFileSync(file, JSON.stringify({ inputs: INPUTS, defects: [{ id: 'x', title: 'x', category: 'boundary', edits: [{ file: 'src/records.js', find, replace: '' }] }] }));
      return file;
    };
    await expect(mutatePlugin({ pluginDir: SOURCE, out: join(dir, 's'), defectsFile: write('no such text'), max: 1 })).rejects.toThrow(/"no such text" is not in src\/records\.js/);
    await expect(mutatePlugin({ pluginDir: SOURCE, out: join(dir, 's'), defectsFile: write('const '), max: 1 })).rejects.toThrow(/occurs more than once/);
    expect(existsSync(join(dir, 's'))).toBe(false);
  });

  it('generates compiling defects of known categories and keeps those a captured input exposes', async () => {
    const mutants = autoMutants(SOURCE, 'csv-import');
    const categories = new Set(mutants.map((m) => m.category));
    for (const category of ['null check', 'boundary', 'wrong operator']) expect(categories).toContain(category);
    expect(new Set(mutants.map((m) => m.id)).size).toBe(mutants.length);
    const dir = tempDir();
    writeFileSync(join(dir, 'inputs.json'), JSON.stringify(INPUTS));
    const result = await mutatePlugin({ pluginDir: SOURCE, out: join(dir, 'suite'), inputsFile: join(dir, 'inputs.json'), max: 3, traffic: true });
    expect(result.written).toHaveLength(3);
    expect(result.skipped.every((s) => s.why.length > 0)).toBe(true);
    const suite = loadSuite(join(dir, 'suite'));
    expect(suite.tasks.map((t) => t.spec.id).sort()).toEqual(result.written.map((w) => w.id).sort());
    for (const task of suite.tasks) {
      expect(task.spec.events.length).toBeGreaterThan(0);
      // Its traffic: the inputs the defective plugin answered, each once, none that failed.
      const failed = task.spec.events.map((e) => JSON.stringify(e.invocation?.input));
      const recorded = task.traffic.map((t) => JSON.stringify(t.input));
      expect(recorded.length + new Set(failed).size).toBe(INPUTS.length);
      for (const input of recorded) expect(failed).not.toContain(input);
      expect(task.traffic.every((t) => t.output !== undefined)).toBe(true);
    }
  });

  it('generates defects of a Python plugin with the Python families, and keeps those a captured input exposes', async () => {
    const plugin = join(STEWARD_ROOT, 'evals', 'sources', 'unit-convert', 'plugin');
    const mutants = await pythonMutants(plugin, 'unit-convert');
    const categories = new Set(mutants.map((m) => m.category));
    for (const category of ['boundary', 'wrong operator', 'argument order']) expect(categories).toContain(category);
    expect(new Set(mutants.map((m) => m.id)).size).toBe(mutants.length);
    for (const m of mutants.slice(0, 10)) {
      const [file, text] = Object.entries(m.files)[0]!;
      expect(file).toMatch(/^src\/[a-z_]+\.py$/);
      // One line changed, and the site is that line.
      const before = readFileSync(join(plugin, file), 'utf8').split('\n');
      const changed = text.split('\n').flatMap((line, i) => (line !== before[i] ? [i + 1] : []));
      expect(changed).toEqual([m.site.line]);
      expect(m.title).toMatch(new RegExp(` at ${file}:${m.site.line}$`));
    }
    const dir = tempDir();
    const inputs = (JSON.parse(readFileSync(join(plugin, '..', 'defects.json'), 'utf8')) as { inputs: unknown[] }).inputs;
    writeFileSync(join(dir, 'inputs.json'), JSON.stringify(inputs));
    const result = await mutatePlugin({ pluginDir: plugin, out: join(dir, 'suite'), inputsFile: join(dir, 'inputs.json'), max: 2 });
    expect(result.written).toHaveLength(2);
    for (const task of loadSuite(join(dir, 'suite')).tasks) {
      expect(task.manifest.runtime).toBe('python');
      expect(task.spec.events.length).toBeGreaterThan(0);
    }
    await expect(mutatePlugin({ pluginDir: join(STEWARD_ROOT, 'plugins', 'log-summary'), out: join(dir, 'c'), inputsFile: join(dir, 'inputs.json'), max: 1 })).rejects.toThrow(
      /generated defects need a JavaScript, TypeScript or Python plugin; log-summary is a command plugin/,
    );
  }, 300_000);

  it('sets tier 1 only when a stack frame names the changed line', () => {
    const stack = 'TypeError: x\n    at toRecords (src/records.js:53:41)\n    at Object.execute (src/index.js:24:20)';
    expect(tierOf({ file: 'src/records.js', line: 53 }, stack)).toBe(1);
    expect(tierOf({ file: 'src/records.js', line: 52 }, stack)).toBe(2);
    expect(tierOf({ file: 'src/convert.py', line: 7 }, 'Traceback:\n  File "src/convert.py", line 7, in round_significant')).toBe(1);
  });
});
