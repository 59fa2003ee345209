import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { interleave } from '../../../agents/fixers/offline/candidates.ts';
import { StewardError } from '../../../orchestrator/core/errors.ts';
import { problemsFromZod, readJsonFile } from '../../../orchestrator/core/json.ts';
import type { Manifest } from '../../../orchestrator/library/manifest.ts';
import { invokeAll } from '../capture-events.ts';
import { testPlugin } from '../score.ts';
import { readPluginManifest, relativeInside, trafficInputFits, type EvalTask, type TaskSpec } from '../task.ts';
import { capturedTest, hiddenCommand } from './hidden-test.ts';
import { autoMutants, mutantFromEdits, tierOf, type Mutant } from './inject.ts';
import { pythonMutants } from './python-mutants.ts';

const HIDDEN_INTO = 'test/hidden';
const SKIP = /(^|\/)(node_modules|test-results|__pycache__|\.git)(\/|$)|(^|\/)\.steward\/PLAYBOOK\.md$/;

/** The defects file of `steward eval mutate --defects`: defects written by hand, as exact text edits. */
export const defectsFileSchema = z
  .strictObject({
    inputs: z.array(z.unknown()).default([]).describe('Production-like inputs: those that make a defect fail become its events; the correct outputs of all become hidden tests.'),
    env: z.record(z.string(), z.string()).optional().describe('Non-secret values the plugin runs with in the eval.'),
    defects: z.array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
        title: z.string().min(1),
        category: z.string().min(1),
        tier: z.int().min(1).max(4).optional().describe('Computed from the stack when left out: 1 if a frame names the changed line, else 2.'),
        expectFix: z.boolean().default(true),
        edits: z.array(z.strictObject({ file: relativeInside, find: z.string().min(1), replace: z.string() })).default([]),
        inputs: z.array(z.unknown()).optional().describe('Replaces the shared inputs for this defect.'),
        productionEnv: z
          .record(z.string(), z.string())
          .optional()
          .describe('The environment of production when the events were captured (a missing secret, a wrong setting); default: env.'),
      }),
    ),
  })
  .describe('Hand-written defects for `steward eval mutate --defects`.');
type DefectsFile = z.output<typeof defectsFileSchema>;

export interface MutateOptions {
  pluginDir: string;
  out: string;
  defectsFile?: string;
  inputsFile?: string;
  /** Extra hidden tests of the correct plugin, copied into every task. */
  hiddenDir?: string;
  max: number;
  /** Record the defective plugin's successful calls on the inputs as each task's `traffic`, as a host's sample would hold them. */
  traffic?: boolean;
  onProgress?: (done: number, total: number, written: number) => void;
}

export interface MutateResult {
  written: { id: string; tier: number; category: string; events: number }[];
  skipped: { id: string; why: string }[];
}

function readDefects(file: string): DefectsFile {
  const result = defectsFileSchema.safeParse(readJsonFile(file, file));
  if (result.success) return result.data;
  const [first] = problemsFromZod(result.error);
  throw new StewardError('E_USAGE', first?.message ?? 'invalid defects file', { file, path: first?.path ?? '$' });
}

function readInputs(file: string): unknown[] {
  const value = readJsonFile(file, file);
  if (!Array.isArray(value)) throw new StewardError('E_USAGE', 'an inputs file is a JSON array of inputs', { file, path: '$' });
  return value;
}

function copyPlugin(from: string, to: string): void {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true, filter: (src) => src === from || !SKIP.test(src.slice(from.length + 1)) });
}

interface Plan {
  mutant: Mutant;
  tier?: number;
  expectFix: boolean;
  inputs: unknown[];
  env: Record<string, string>;
  productionEnv: Record<string, string>;
}

/**
 * What production's host would have sampled of the defective plugin: its successful
 * calls on the inputs, answers as it gave them (a wrong one included), inputs over
 * the traffic cap left out as the host leaves them.
 */
function trafficOf(ran: Awaited<ReturnType<typeof invokeAll>>): Pick<TaskSpec, 'traffic'> {
  const traffic = ran.flatMap((i) => (i.outcome.ok && trafficInputFits(i.input) ? [{ input: i.input, output: i.outcome.output }] : []));
  return traffic.length > 0 ? { traffic } : {};
}

/** One planned defect checked and, when it makes a fair task, written to the suite. */
async function build(plan: Plan, options: MutateOptions, manifest: Manifest, stage: string): Promise<{ spec: TaskSpec } | { why: string }> {
  const dir = join(stage, plan.mutant.id);
  const pluginDir = join(dir, 'plugin');
  copyPlugin(options.pluginDir, pluginDir);
  for (const [file, text] of Object.entries(plan.mutant.files)) writeFileSync(join(pluginDir, file), text);
  const ran = await invokeAll(pluginDir, manifest, plan.inputs, plan.productionEnv);
  const events = ran.flatMap((i) => (i.event ? [i.event] : []));
  if (events.length === 0) return { why: 'no input makes it fail, so production would report nothing' };
  const correct = await invokeAll(options.pluginDir, manifest, plan.inputs, plan.env);
  const cases = correct.flatMap((i) => (i.outcome.ok ? [{ input: i.input, output: i.outcome.output }] : []));
  if (cases.length === 0) return { why: 'the correct plugin fails on every input: there is no right output to check' };
  const hiddenDir = join(dir, 'hidden');
  mkdirSync(hiddenDir, { recursive: true });
  if (options.hiddenDir) cpSync(options.hiddenDir, hiddenDir, { recursive: true });
  writeFileSync(join(hiddenDir, 'captured.test.mjs'), capturedTest(manifest, cases));
  const spec: TaskSpec = {
    id: plan.mutant.id,
    title: plan.mutant.title,
    // No fix expected is tier 4 by the spec's definition; otherwise the stack decides between 1 and 2.
    tier: plan.tier ?? (plan.expectFix ? tierOf(plan.mutant.site, events[0]?.error.stack) : 4),
    category: plan.mutant.category,
    events,
    hidden: { into: HIDDEN_INTO, command: hiddenCommand(manifest, HIDDEN_INTO), format: 'tap' },
    expect: { fix: plan.expectFix },
    ...(Object.keys(plan.env).length > 0 ? { env: plan.env } : {}),
    ...(options.traffic ? trafficOf(ran) : {}),
  };
  const asTask = (dirOfPlugin: string): EvalTask => ({ spec, dir, pluginDir: dirOfPlugin, hiddenDir, manifest, traffic: [] });
  const onCorrect = await testPlugin(asTask(options.pluginDir), undefined, 'hidden');
  if (onCorrect.hidden?.status !== 'passed')
    return { why: `the hidden tests do not pass on the correct plugin (${onCorrect.hidden?.failed.join('; ') || onCorrect.hidden?.warnings.join('; ')})` };
  if (plan.expectFix) {
    const onMutant = await testPlugin(asTask(pluginDir), undefined, 'hidden');
    if (onMutant.hidden?.status === 'passed') return { why: 'the hidden tests pass on it: they cannot tell a fix from no fix' };
  }
  writeFileSync(join(dir, 'task.json'), `${JSON.stringify(spec, null, 2)}\n`);
  return { spec };
}

/**
 * `steward eval mutate`: tasks from a correct plugin, by injecting defects (written by
 * hand in a defects file, or generated), keeping those a captured input exposes. Each
 * task's events are what the host captures when the defective plugin runs the input;
 * its hidden tests check the correct plugin's outputs.
 */
export async function mutatePlugin(options: MutateOptions): Promise<MutateResult> {
  const manifest = readPluginManifest(options.pluginDir, options.pluginDir);
  const defects = options.defectsFile ? readDefects(options.defectsFile) : undefined;
  const sharedInputs = options.inputsFile ? readInputs(options.inputsFile) : (defects?.inputs ?? []);
  const env = defects?.env ?? {};
  let plans: Plan[];
  if (defects) {
    plans = defects.defects.map((d) => ({
      mutant:
        d.edits.length > 0
          ? mutantFromEdits(options.pluginDir, d, options.defectsFile ?? '')
          : { id: d.id, title: d.title, category: d.category, files: {}, site: { file: '', line: 0 } },
      ...(d.tier ? { tier: d.tier } : {}),
      expectFix: d.expectFix,
      inputs: d.inputs ?? sharedInputs,
      env,
      productionEnv: d.productionEnv ?? env,
    }));
  } else {
    if (manifest.runtime !== 'node' && manifest.runtime !== 'python')
      throw new StewardError('E_USAGE', `generated defects need a JavaScript, TypeScript or Python plugin; ${manifest.name} is a ${manifest.runtime} plugin`, {
        hint: 'write its defects by hand: --defects <file>',
      });
    if (sharedInputs.length === 0)
      throw new StewardError('E_USAGE', 'generated defects need captured inputs to expose them', { hint: '--inputs <file.json>: a JSON array of inputs' });
    const byCategory = new Map<string, Mutant[]>();
    for (const mutant of manifest.runtime === 'python' ? await pythonMutants(options.pluginDir, manifest.name) : autoMutants(options.pluginDir, manifest.name))
      byCategory.set(mutant.category, [...(byCategory.get(mutant.category) ?? []), mutant]);
    // Categories take turns, so a few dozen tasks still cover every kind of defect.
    plans = interleave([...byCategory.values()]).map((mutant) => ({ mutant, expectFix: true, inputs: sharedInputs, env, productionEnv: env }));
  }
  const existing = existsSync(options.out) ? new Set(readdirSync(options.out)) : new Set<string>();
  const clash = plans.find((p) => existing.has(p.mutant.id));
  if (clash) throw new StewardError('E_USAGE', `the suite already has a task "${clash.mutant.id}"`, { file: options.out, hint: 'remove it or choose other ids' });
  const stage = mkdtempSync(join(tmpdir(), 'steward-mutate-'));
  const result: MutateResult = { written: [], skipped: [] };
  try {
    let done = 0;
    for (const plan of plans) {
      if (result.written.length >= options.max) break;
      const built = await build(plan, options, manifest, stage);
      done++;
      if ('why' in built) {
        result.skipped.push({ id: plan.mutant.id, why: built.why });
      } else {
        // The task appears in the suite whole or not at all; the suite is made with its first task.
        mkdirSync(options.out, { recursive: true });
        if (!existsSync(join(options.out, 'suite.json'))) {
          writeFileSync(
            join(options.out, 'suite.json'),
            `${JSON.stringify({ name: `${manifest.name}-mutants`, description: `Tasks generated by steward eval mutate from ${manifest.name}.` }, null, 2)}\n`,
          );
        }
        renameOrCopy(join(stage, plan.mutant.id), join(options.out, plan.mutant.id));
        result.written.push({ id: built.spec.id, tier: built.spec.tier, category: built.spec.category, events: built.spec.events.length });
      }
      options.onProgress?.(done, plans.length, result.written.length);
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return result;
}

function renameOrCopy(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    // Across file systems (tmp on tmpfs) a rename fails: copied to a sibling, then renamed in place.
    const temp = `${to}.partial`;
    rmSync(temp, { recursive: true, force: true });
    cpSync(from, temp, { recursive: true, verbatimSymlinks: true });
    renameSync(temp, to);
  }
}
