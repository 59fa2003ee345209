import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { summary } from '../commands.ts';
import { modelByName } from '../../../agents/fixers/registry.ts';
import { compareResults, type Comparison } from '../../../evals/harness/compare.ts';
import { renderComparisonHtml } from '../../../evals/harness/report/compare-html.ts';
import { mutatePlugin } from '../../../evals/harness/mutate/index.ts';
import { describePrecision } from '../../../evals/harness/precision.ts';
import { describeRate, outcomeOf, tierRows } from '../../../evals/harness/report/markdown.ts';
import { precisionLine, readableOf } from '../../../evals/harness/report/overfits.ts';
import { readResults, type Results } from '../../../evals/harness/results.ts';
import { isEvalOut } from '../../../evals/harness/out-dir.ts';
import { runEval, stopLeftovers } from '../../../evals/harness/runner.ts';
import { loadSuite } from '../../../evals/harness/task.ts';
import { messageOf, StewardError } from '../../core/errors.ts';
import { writeFileAtomic } from '../../core/files.ts';
import { createLogger } from '../../core/logger.ts';
import { parsePlaybook } from '../../library/playbook.ts';
import { EXIT } from '../exit-codes.ts';
import { print, printJson, progress, table } from '../output.ts';
import { wholeNumber } from './host.ts';
import { STEWARD_ROOT } from './init.ts';

interface RunOptions {
  fixer: string;
  model?: string;
  playbook?: string;
  repeat: string;
  concurrency: string;
  out?: string;
  only?: string;
  timeout: string;
  fresh?: boolean;
  json?: boolean;
}

interface ResolvedPlaybook {
  name: string;
  version: string;
  hash: string;
  text: string;
}

/** A playbook by name (steward's playbooks/) or by path: a changed playbook is evaluated before it lands. */
function resolvePlaybook(spec: string | undefined): ResolvedPlaybook {
  const dir = join(STEWARD_ROOT, 'playbooks');
  const asPath = spec !== undefined && (spec.includes('/') || spec.endsWith('.md'));
  const file = spec === undefined ? join(dir, 'default.md') : asPath ? resolve(spec) : join(dir, `${spec}.md`);
  if (!existsSync(file)) {
    const known = readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .map((f) => f.slice(0, -3));
    throw new StewardError('E_PLAYBOOK_MISSING', `no playbook ${asPath ? `file "${spec}"` : `"${spec}"`}`, {
      hint: `steward's playbooks: ${known.join(', ')}; or give a path to a .md file`,
    });
  }
  const text = readFileSync(file, 'utf8');
  const playbook = parsePlaybook(text, spec ?? 'playbooks/default.md');
  return { name: playbook.front.name, version: playbook.front.version, hash: playbook.hash, text };
}

function fixerOf(value: string): 'offline' | 'llm' | 'hybrid' {
  if (value === 'offline' || value === 'llm' || value === 'hybrid') return value;
  throw new StewardError('E_USAGE', `--fixer must be offline, llm or hybrid, not "${value}"`);
}

/** A model that cannot be built fails here, once, rather than as a quiet "no candidate" in every attempt. */
async function checkModel(fixer: 'offline' | 'llm' | 'hybrid', model: string | undefined): Promise<void> {
  if (fixer === 'llm' && !model)
    throw new StewardError('E_USAGE', '--fixer llm needs --model <provider:model>', { hint: 'e.g. --model anthropic:claude-sonnet-4-5, or --fixer offline' });
  if (fixer === 'hybrid' && !model) process.stderr.write('steward: --fixer hybrid without --model runs the offline fixer alone\n');
  if (fixer === 'offline' || !model) return;
  try {
    await modelByName(model)();
  } catch (error) {
    throw new StewardError('E_USAGE', `--model ${model}: ${messageOf(error).replace(/^model "[^"]*": /, '')}`, {
      hint: 'the provider package must be installed and its API key set in the environment',
    });
  }
}

/** One eval run with a live count; returns its results, or undefined when stopped by a signal. */
async function evalRun(
  suiteDir: string,
  options: Omit<RunOptions, 'playbook' | 'out'>,
  out: string,
  playbookSpec: string | undefined,
  quiet: boolean,
): Promise<Results | undefined> {
  // An eval is self-contained: each attempt gets its own Redis and SQLite, never a shared server's.
  for (const name of ['REDIS_URL', 'DATABASE_URL'] as const) {
    if (process.env[name]) {
      if (!quiet) print(`(${name} is ignored: every eval attempt runs on its own local Redis and SQLite)`);
      delete process.env[name];
    }
  }
  const only = options.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const suite = loadSuite(resolve(suiteDir), only);
  const playbook = resolvePlaybook(playbookSpec);
  const fixer = fixerOf(options.fixer);
  await checkModel(fixer, options.model);
  const repeat = wholeNumber('--repeat', options.repeat, 1, 100);
  const concurrency = wholeNumber('--concurrency', options.concurrency, 1, 64);
  const timeoutMs = wholeNumber('--timeout', options.timeout, 10, 86_400) * 1000;
  if (options.fresh) {
    // --fresh wipes an eval's own directory, never whatever else --out may name.
    if (!isEvalOut(out)) throw new StewardError('E_USAGE', `--fresh would delete ${out}, which holds no eval (no eval.json)`, { hint: 'give --out a directory of its own' });
    await stopLeftovers(out);
    rmSync(out, { recursive: true, force: true });
  }
  const controller = new AbortController();
  const stop = (): void => {
    process.stderr.write('\nsteward: stopping after the attempts under way; Ctrl-C again quits at once (the same command resumes)\n');
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const bar = progress('eval');
  const started = Date.now();
  let resolved = 0;
  if (!quiet)
    print(
      `eval ${suite.info.name}: ${suite.tasks.length} task(s) × ${repeat}, fixer ${fixer}, playbook ${playbook.name} ${playbook.version}, concurrency ${concurrency}; out ${out}`,
    );
  try {
    let first: number | undefined;
    const results = await runEval({
      suite,
      config: {
        suite: { name: suite.info.name, description: suite.info.description, dir: suite.dir },
        fixer,
        model: options.model ?? null,
        playbook: { name: playbook.name, version: playbook.version, hash: playbook.hash },
        repeat,
        tasks: suite.tasks.map((t) => t.spec.id),
      },
      out,
      concurrency,
      timeoutMs,
      playbook: { name: playbook.name, text: playbook.text },
      stewardRoot: STEWARD_ROOT,
      log: createLogger({ component: 'eval' }),
      signal: controller.signal,
      onStart(recorded, total) {
        resolved = recorded.filter((a) => a.success).length;
        if (recorded.length > 0 && !quiet) print(`resuming: ${recorded.length} of ${total} attempts were recorded in ${out}`);
      },
      onAttempt(attempt, done, total) {
        if (attempt.success) resolved++;
        first ??= done - 1;
        const fresh = done - first;
        const left = fresh > 0 ? Math.round((((Date.now() - started) / fresh) * (total - done)) / 1000) : 0;
        bar.update(done, total, `${resolved} resolved or correct, ~${left} s left`);
        if (!quiet && !process.stderr.isTTY)
          print(`  ${done}/${total} ${attempt.task}${repeat > 1 ? ` #${attempt.repeat}` : ''}: ${outcomeOf(attempt)} (${(attempt.costs.wallMs / 1000).toFixed(1)} s)`);
      },
    });
    bar.done();
    if (controller.signal.aborted) {
      process.stderr.write(`steward: eval stopped; run the same command again to resume (attempts so far are in ${join(out, 'attempts.jsonl')})\n`);
      return undefined;
    }
    return results;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function printResults(results: Results, out: string): void {
  print(
    table(
      ['TASK', 'TIER', 'CATEGORY', 'OUTCOME', 'WALL', 'CANDIDATES'],
      results.attempts.map((a) => [
        `${a.task}${results.config.repeat > 1 ? ` #${a.repeat}` : ''}`,
        String(a.tier),
        a.category,
        outcomeOf(a),
        `${(a.costs.wallMs / 1000).toFixed(1)} s`,
        String(a.costs.candidatesTried),
      ]),
    ),
  );
  print();
  print(table(['TIER', 'SUCCESS (95% WILSON)'], tierRows(results)));
  print(`overall ${describeRate(results.summary.overall)}; ${precisionLine(results)}; wall ${(results.wallMs / 1000).toFixed(1)} s`);
  if (results.summary.flaky.length > 0) print(`flaky (outcome differs between repeats): ${results.summary.flaky.join(', ')}`);
  for (const o of results.summary.overfits) {
    print(
      `overfit: ${o.task}${results.config.repeat > 1 ? ` #${o.repeat}` : ''} (${o.fixer}): a validated patch fails the hidden tests; ${o.trajectory ? join(out, readableOf(o.trajectory)) : 'see results.json'}`,
    );
  }
  print(`reports: ${['results.json', 'report.md', 'report.html'].map((f) => join(out, f)).join(', ')}`);
}

function printComparison(c: Comparison): void {
  for (const side of [c.a, c.b]) print(`${side.label}: ${describeRate(side.rate)}; precision ${describePrecision(side.precision)}; ${side.overfits} overfit patch(es)`);
  print(`paired tasks: ${c.tasks}; improved in ${c.b.label}: ${c.improved.join(', ') || 'none'}; regressed: ${c.regressed.join(', ') || 'none'}`);
  const interval = c.interval ? ` (bootstrap 95% interval ${(c.interval.low * 100).toFixed(1)} to ${(c.interval.high * 100).toFixed(1)})` : '';
  print(
    `${c.test === 'mcnemar-exact' ? 'exact McNemar test' : 'sign-flip test over tasks'}: difference ${(c.difference * 100).toFixed(1)} points${interval}, p = ${c.p.toPrecision(3)}`,
  );
  for (const warning of c.warnings) print(`warning: ${warning}`);
  print(
    `verdict: ${c.b.label} is ${c.verdict === 'no significant difference' ? `not significantly different from ${c.a.label}` : `${c.verdict} than ${c.a.label}`} (alpha ${c.alpha})`,
  );
  if (c.flags.includes('more-overfits')) {
    print(
      `flagged: ${c.b.label} proposes more patches that fail the hidden tests (${c.a.overfits} -> ${c.b.overfits}; more in ${c.overfits.more.join(', ')}), whatever its success rate`,
    );
  }
}

/** 1 for anything flagged: B significantly worse, or more overfit patches in B, so that CI can block either. */
const exitFor = (c: Comparison): number => (c.flags.length > 0 ? EXIT.findings : EXIT.ok);

function runOptions(command: Command): Command {
  return command
    .option('--fixer <name>', 'offline, llm or hybrid', 'offline')
    .option('--model <name>', 'the chat model of llm and hybrid, by name (provider:model)')
    .option('--repeat <n>', 'attempts per task', '1')
    .option('--concurrency <n>', 'tasks at once', '2')
    .option('--only <ids>', 'only these task ids, comma-separated')
    .option('--timeout <seconds>', 'per attempt', '600')
    .option('--fresh', 'discard what --out holds instead of resuming it')
    .option('--json', 'machine-readable output');
}

export function registerEval(program: Command): void {
  const evalCommand = program.command('eval').description(summary('eval'));
  runOptions(evalCommand.command('run <suite>'))
    .description('every task of a suite through the real pipeline; writes results.json, report.md and report.html')
    .option('--playbook <name|path>', "the playbook the agents follow (default: steward's default)")
    .option('--out <dir>', 'where results go; the same command again resumes it (default .steward/eval/<suite>)')
    .action(async (suiteDir: string, options: RunOptions) => {
      const out = resolve(options.out ?? join('.steward', 'eval', basename(resolve(suiteDir))));
      const results = await evalRun(suiteDir, options, out, options.playbook, options.json === true);
      if (!results) {
        process.exitCode = 130;
        return;
      }
      if (options.json) printJson({ version: 1, out, summary: results.summary });
      else printResults(results, out);
    });
  evalCommand
    .command('compare <a> <b>')
    .description(
      'two results.json paired per task: flips, rates, precision, a significance test and a verdict; exit 1 when B is significantly worse or proposes more patches that fail the hidden tests',
    )
    .option('--alpha <p>', 'significance level', '0.05')
    .option('--html <file>', "where the comparison page goes (default: comparison.html beside B's results)")
    .option('--json', 'machine-readable output')
    .action((a: string, b: string, options: { alpha: string; html?: string; json?: boolean }) => {
      const [ra, rb] = [readResults(a), readResults(b)];
      const comparison = compareResults(ra, rb, [a, b], alphaOf(options.alpha));
      const page = resolve(options.html ?? join(existsSync(b) && statSync(b).isDirectory() ? b : dirname(b), 'comparison.html'));
      writeFileAtomic(page, renderComparisonHtml(comparison, ra, rb));
      if (options.json) printJson({ version: 1, ...comparison, page });
      else {
        printComparison(comparison);
        print(`page: ${page}`);
      }
      process.exitCode = exitFor(comparison);
    });
  runOptions(evalCommand.command('ab <suite>'))
    .description('runs the suite with two playbooks (--playbook A --playbook B) and compares them')
    .option('--playbook <name|path>', 'twice: A, then B', (value: string, previous: string[] = []) => [...previous, value])
    .option('--out <dir>', 'where both results go (a/ and b/)')
    .option('--alpha <p>', 'significance level', '0.05')
    .action(async (suiteDir: string, options: Omit<RunOptions, 'playbook'> & { playbook?: string[]; alpha: string }) => {
      if (options.playbook?.length !== 2) throw new StewardError('E_USAGE', 'ab needs two playbooks: --playbook A --playbook B');
      // Checked before hours of runs, not after them.
      const alpha = alphaOf(options.alpha);
      const out = resolve(options.out ?? join('.steward', 'eval', `${basename(resolve(suiteDir))}-ab`));
      const runs: Results[] = [];
      for (const [i, side] of (['a', 'b'] as const).entries()) {
        const results = await evalRun(suiteDir, options, join(out, side), options.playbook[i], options.json === true);
        if (!results) {
          process.exitCode = 130;
          return;
        }
        runs.push(results);
      }
      const [a, b] = runs as [Results, Results];
      const comparison = compareResults(a, b, [options.playbook[0] ?? 'A', options.playbook[1] ?? 'B'], alpha);
      writeFileAtomic(join(out, 'comparison.json'), `${JSON.stringify(comparison, null, 2)}\n`);
      writeFileAtomic(join(out, 'comparison.html'), renderComparisonHtml(comparison, a, b));
      if (options.json) printJson({ version: 1, out, ...comparison, page: join(out, 'comparison.html') });
      else {
        printComparison(comparison);
        print(`page: ${join(out, 'comparison.html')}`);
      }
      process.exitCode = exitFor(comparison);
    });
  evalCommand
    .command('mutate <plugin-dir>')
    .description('eval tasks from a correct plugin: injected defects that a captured input exposes, with hidden tests of its correct outputs')
    .requiredOption('--out <suite>', 'the suite directory the tasks are added to')
    .option('--defects <file>', 'defects written by hand (exact text edits); without it, defects are generated (JavaScript, TypeScript and Python)')
    .option('--inputs <file>', "a JSON array of production-like inputs (overrides the defects file's)")
    .option('--hidden <dir>', 'extra hidden tests of the correct plugin, copied into every task')
    .option('--max <n>', 'at most this many tasks', '20')
    .option('--traffic', "record the defective plugin's successful calls on the inputs as each task's traffic, as a host's sample would hold them")
    .option('--json', 'machine-readable output')
    .action(async (pluginDir: string, options: { out: string; defects?: string; inputs?: string; hidden?: string; max: string; traffic?: boolean; json?: boolean }) => {
      const bar = progress('mutants');
      const result = await mutatePlugin({
        pluginDir: resolve(pluginDir),
        out: resolve(options.out),
        ...(options.defects ? { defectsFile: resolve(options.defects) } : {}),
        ...(options.inputs ? { inputsFile: resolve(options.inputs) } : {}),
        ...(options.hidden ? { hiddenDir: resolve(options.hidden) } : {}),
        max: wholeNumber('--max', options.max, 1, 10_000),
        traffic: options.traffic === true,
        onProgress: (done, total, written) => bar.update(done, total, `${written} task(s) written`),
      });
      bar.done();
      if (options.json) {
        printJson({ version: 1, ...result });
        return;
      }
      print(
        table(
          ['TASK', 'TIER', 'CATEGORY', 'EVENTS'],
          result.written.map((w) => [w.id, String(w.tier), w.category, String(w.events)]),
        ),
      );
      for (const skipped of result.skipped) print(`  skipped ${skipped.id}: ${skipped.why}`);
      print(`${result.written.length} task(s) written to ${options.out}, ${result.skipped.length} defect(s) skipped`);
      if (result.written.length === 0) process.exitCode = EXIT.findings;
    });
}

function alphaOf(given: string): number {
  const alpha = Number(given);
  if (!(alpha > 0 && alpha < 1)) throw new StewardError('E_USAGE', `--alpha must lie between 0 and 1, not "${given}"`);
  return alpha;
}
