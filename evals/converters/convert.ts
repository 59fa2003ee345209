// Builds evals/suites/dev from public collections of real defects (HumanEvalFix from
// HumanEvalPack, and Refactory). See evals/converters/README.md.
//
//   node --import tsx evals/converters/convert.ts [--only <id-prefix>] [--max-refactory N]
//
// It needs the upstream snapshots fetched as bare git directories (GIT_DIRS below, or
// HEF_GIT / REFACTORY_GIT), at the commits it records in every task's SOURCE.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTask, type Case, type Defect, type HiddenScope } from './lib/write-task.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const SUITE = resolve(HERE, '../suites/dev');

const HEF = {
  gitDir: process.env.HEF_GIT ?? '/work/.mirror/bigcode-project+octopack/repo',
  repo: 'https://github.com/bigcode-project/octopack',
  commit: 'e17a8f6470264286bc6a52eb8263582083bf3bf6',
  files: { python: 'evaluation/create/humaneval-x/data/python/data/humanevalpack.jsonl', javascript: 'evaluation/create/humaneval-x/data/js/data/humanevalpack.jsonl' },
};
const REFACTORY = {
  gitDir: process.env.REFACTORY_GIT ?? '/work/.mirror/githubhuyang+refactory/repo',
  repo: 'https://github.com/githubhuyang/refactory',
  commit: 'f05583a56c2e3c50aa8cc0327645283f27df3a68',
};

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const maxRefactory = args.includes('--max-refactory') ? Number(args[args.indexOf('--max-refactory') + 1]) : 50;
/** `--summary <file>`: where, in the suite, the counts of kept and left-out items go. */
const summaryFile = args.includes('--summary') ? (args[args.indexOf('--summary') + 1] ?? 'conversion.json') : 'conversion.json';
/** `--hidden production|all`: whether calls the buggy code answers wrong without raising are hidden tests (`HiddenScope`). */
const hiddenScope = (args.includes('--hidden') ? args[args.indexOf('--hidden') + 1] : 'production') as HiddenScope;
if (hiddenScope !== 'production' && hiddenScope !== 'all') throw new Error(`--hidden must be production or all, got ${String(hiddenScope)}`);
/** Per (question, first error) group of Refactory programs, at most this many, for variety. */
const PER_GROUP = 2;

function git(gitDir: string, ...argv: string[]): string {
  const run = spawnSync('git', ['--git-dir', gitDir, ...argv], { encoding: 'buffer', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`git ${argv.join(' ')} failed in ${gitDir}: ${run.stderr.toString()}`);
  return run.stdout.toString('utf8');
}

/** `--probe-cache <dir>`: probe outputs are kept there and reused (the probes take minutes). */
const probeCache = args.includes('--probe-cache') ? resolve(args[args.indexOf('--probe-cache') + 1] ?? '') : undefined;

function runProbe(name: string, cmd: string, argv: string[]): Record<string, unknown>[] {
  const cached = probeCache ? join(probeCache, `${name}.jsonl`) : undefined;
  let stdout: string;
  if (cached && existsSync(cached)) stdout = readFileSync(cached, 'utf8');
  else {
    const run = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 30 * 60_000 });
    if (run.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${run.stderr.slice(-2000)}`);
    stdout = run.stdout;
    if (cached) {
      mkdirSync(dirname(cached), { recursive: true });
      writeFileSync(cached, stdout);
    }
  }
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const kebab = (s: string): string =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

const HEF_CATEGORY: Record<string, string> = {
  'value misuse': 'wrong value',
  'operator misuse': 'wrong operator',
  'variable misuse': 'wrong variable',
  'missing logic': 'missing condition',
  'excess logic': 'excess logic',
  'function misuse': 'wrong function',
};

const ERROR_CATEGORY: Record<string, string> = {
  IndexError: 'index out of range',
  UnboundLocalError: 'unassigned variable',
  NameError: 'undefined name',
  ReferenceError: 'undefined name',
  TypeError: 'type misuse',
  AttributeError: 'wrong method',
  ValueError: 'bad value',
  ZeroDivisionError: 'division by zero',
  RecursionError: 'infinite recursion',
  RangeError: 'infinite recursion',
};

function firstDifferentLine(a: string, b: string): number | undefined {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return i + 1;
  return undefined;
}

interface Tally {
  examined: number;
  kept: number;
  left: Map<string, number>;
  byLanguage: Map<string, number>;
  /** Kept tasks with calls the buggy code answers wrong without raising, and those calls, left out of the hidden tests. */
  silentWrong: { tasks: number; calls: number };
}
const tallies = new Map<string, Tally>();
function tally(source: string): Tally {
  let t = tallies.get(source);
  if (!t) tallies.set(source, (t = { examined: 0, kept: 0, left: new Map(), byLanguage: new Map(), silentWrong: { tasks: 0, calls: 0 } }));
  return t;
}
const leave = (t: Tally, why: string): void => void t.left.set(why, (t.left.get(why) ?? 0) + 1);

function probeKind(cases: readonly Case[]): string | undefined {
  return cases.find((c) => c.buggy === 'hang' || c.buggy.startsWith('raise:'))?.buggy;
}

/** One HumanEvalPack row (the fields this converter uses). */
interface HefItem {
  task_id: string;
  prompt: string;
  canonical_solution: string;
  buggy_solution: string;
  bug_type: string;
  failure_symptoms: string;
  entry_point: string;
  signature: string;
  docstring: string;
}

async function humanEvalFix(stage: string): Promise<void> {
  for (const language of ['python', 'javascript'] as const) {
    const t = tally(`HumanEvalFix (${language})`);
    const data = join(stage, `hef-${language}.jsonl`);
    writeFileSync(data, git(HEF.gitDir, 'show', `${HEF.commit}:${HEF.files[language]}`));
    const items = new Map(
      git(HEF.gitDir, 'show', `${HEF.commit}:${HEF.files[language]}`)
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as HefItem)
        .map((item) => [item.task_id, item]),
    );
    const probes =
      language === 'python'
        ? runProbe('hef-python', 'python3', [join(HERE, 'humanevalfix/probe.py'), data])
        : runProbe('hef-javascript', 'node', [join(HERE, 'humanevalfix/probe.mjs'), data]);
    for (const probe of probes) {
      const item = items.get(String(probe.task_id));
      if (!item) continue;
      const num = item.task_id.split('/')[1] ?? '';
      const id = `hef-${language === 'python' ? 'py' : 'js'}-${num}-${kebab(item.entry_point)}`;
      if (only && !id.startsWith(only)) continue;
      t.examined++;
      if (typeof probe.error === 'string') {
        leave(
          t,
          probe.error.replace(/: \w+$/, (m) => (/ReferenceError/.test(m) ? ' (strict mode: undeclared variable)' : m)),
        );
        continue;
      }
      const cases = (probe.cases as { args: unknown[]; output: unknown; buggy: string }[]).map((c) => ({ input: { args: c.args }, output: c.output, buggy: c.buggy }));
      const kind = probeKind(cases);
      const ext = language === 'python' ? 'py' : 'js';
      const moduleFile = `${language === 'python' ? item.entry_point : item.entry_point}.${ext}`;
      const exportLine = language === 'javascript' ? `\nexport { ${item.entry_point} };\n` : '';
      const buggyCode = `${item.prompt}${item.buggy_solution}${exportLine}`;
      const fixedCode = `${item.prompt}${item.canonical_solution}${exportLine}`;
      const defect: Defect = {
        id,
        language,
        title: `${item.entry_point} ${kind === 'hang' ? 'hangs' : `raises ${kind?.slice(6) ?? ''}`} on some inputs (HumanEvalFix ${item.task_id})`,
        category: kind === 'hang' ? 'infinite loop' : (HEF_CATEGORY[item.bug_type] ?? item.bug_type),
        fixLine: firstDifferentLine(buggyCode, fixedCode),
        description: `A small ${language === 'python' ? 'Python' : 'JavaScript'} function exposed as a plugin: \`${item.signature}\`.\n\n${item.docstring}`,
        entries: [item.entry_point],
        moduleFile,
        buggyCode,
        fixedCode,
        cases,
        source: `# Source

- Collection: HumanEvalFix (the bug-fixing half of HumanEvalPack, OctoPack paper, bigcode)
- Item: \`${item.task_id}\` (${item.entry_point}); bug type \`${item.bug_type}\`, failure symptom as labelled \`${item.failure_symptoms}\`
- Upstream: ${HEF.repo}, commit \`${HEF.commit}\`, file \`${HEF.files[language]}\`
- Licence: MIT, see [../LICENSES/octopack-MIT.txt](../LICENSES/octopack-MIT.txt)

The plugin's \`src/${moduleFile}\` is the item's \`prompt\` followed by its \`buggy_solution\`${language === 'javascript' ? ' (with an `export` line added)' : ''}.
The visible tests are the benchmark's calls (from \`test\` and \`example_test\`) that the buggy code answers correctly;
the hidden tests are those and the calls it raises or hangs on, compared with the output of \`canonical_solution\`. Converted by \`evals/converters/convert.ts\`.
`,
      };
      const outcome = await writeTask(defect, SUITE, stage, hiddenScope);
      report(t, id, outcome, language);
    }
  }
}

function report(t: Tally, id: string, outcome: Awaited<ReturnType<typeof writeTask>>, language: string): void {
  if (outcome.written) {
    t.kept++;
    t.byLanguage.set(language, (t.byLanguage.get(language) ?? 0) + 1);
    if (outcome.silentWrong > 0) {
      t.silentWrong.tasks++;
      t.silentWrong.calls += outcome.silentWrong;
    }
    process.stdout.write(`kept ${id} (tier ${outcome.tier}, ${outcome.events} events)\n`);
  } else {
    leave(t, outcome.why);
    if (outcome.why !== 'wrong answer only') process.stdout.write(`left out ${id}: ${outcome.why}\n`);
  }
}

async function refactory(stage: string): Promise<void> {
  const t = tally('Refactory (python)');
  const zip = join(stage, 'refactory-data.zip');
  const run = spawnSync('git', ['--git-dir', REFACTORY.gitDir, 'show', `${REFACTORY.commit}:data.zip`], { maxBuffer: 1 << 28 });
  writeFileSync(zip, run.stdout);
  const unzip = spawnSync('python3', ['-m', 'zipfile', '-e', zip, stage]);
  if (unzip.status !== 0) throw new Error(`cannot unpack data.zip: ${unzip.stderr}`);
  const data = join(stage, 'data');
  const probes = runProbe('refactory', 'python3', [join(HERE, 'refactory/probe.py'), data]);
  const reference = (q: string): string => readText(join(data, q, 'code', 'reference', 'reference.py'));
  const seenCode = new Set<string>();
  const perGroup = new Map<string, number>();
  let kept = 0;
  for (const probe of probes) {
    const question = String(probe.question);
    const file = String(probe.file);
    const q = question.replace('question_', '');
    const entries = probe.entries as string[];
    const id = `rfty-q${q}-${file.replace(/\.py$/, '').replace(/_/g, '-')}`;
    if (only && !id.startsWith(only)) continue;
    t.examined++;
    if (typeof probe.error === 'string') {
      leave(t, `student program ${probe.error}`);
      continue;
    }
    const cases = (probe.cases as { input: Case['input']; output: unknown; buggy: string }[]).map((c) => ({ input: c.input, output: c.output, buggy: c.buggy }));
    const kind = probeKind(cases);
    if (!kind) {
      leave(t, 'wrong answer only');
      continue;
    }
    if (!cases.some((c) => c.buggy === 'same')) {
      leave(t, 'no benchmark call passes on the buggy code (no visible test)');
      continue;
    }
    const code = readText(join(data, question, 'code', 'wrong', file));
    const norm = code.replace(/\s+/g, ' ').trim();
    if (seenCode.has(norm)) {
      leave(t, 'duplicate of a program already examined');
      continue;
    }
    seenCode.add(norm);
    const group = `${question} ${kind}`;
    if ((perGroup.get(group) ?? 0) >= PER_GROUP || kept >= maxRefactory) {
      leave(t, `raises, but not selected (at most ${PER_GROUP} per question and error type, ${maxRefactory} in all)`);
      continue;
    }
    const description = readText(join(data, question, 'description.txt'));
    const defect: Defect = {
      id,
      language: 'python',
      title: `${entries.join('/')} ${kind === 'hang' ? 'hangs' : `raises ${kind.slice(6)}`} on some inputs (Refactory ${question}/${file})`,
      category: kind === 'hang' ? 'infinite loop' : (ERROR_CATEGORY[kind.slice(6)] ?? kind.slice(6)),
      // The fix is the instructor's reference solution, a separate program: no single changed line to match.
      tier: 2,
      description: `A student's solution to an introductory programming exercise, exposed as a plugin.\n\n${description.trim()}`,
      entries,
      moduleFile: 'solution.py',
      buggyCode: code,
      fixedCode: reference(question),
      cases,
      source: `# Source

- Collection: Refactory (student programs from an introductory Python course, ASE 2019)
- Item: \`data/${question}/code/wrong/${file}\` in \`data.zip\`; tests \`data/${question}/ans/input_*.txt\` and \`output_*.txt\`
- Upstream: ${REFACTORY.repo}, commit \`${REFACTORY.commit}\`
- Licence: LGPL-3.0, see [../LICENSES/refactory-LGPL-3.0.txt](../LICENSES/refactory-LGPL-3.0.txt)

The plugin's \`src/solution.py\` is the student's wrong program, unchanged. The fix the hidden tests were
checked against is the question's \`code/reference/reference.py\`. The visible tests are the instructor's test
calls the program answers correctly; the hidden tests are those and the calls it raises or hangs on (arguments as
JSON, so tuples are lists), compared with the reference's output. Converted by \`evals/converters/convert.ts\`.
`,
    };
    const outcome = await writeTask(defect, SUITE, stage, hiddenScope);
    if (outcome.written) {
      kept++;
      perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
    }
    report(t, id, outcome, 'python');
  }
}

function readText(file: string): string {
  return readFileSync(file, 'utf8');
}

async function main(): Promise<void> {
  for (const dir of [HEF.gitDir, REFACTORY.gitDir]) if (!existsSync(dir)) throw new Error(`missing upstream snapshot ${dir}: fetch it first (see evals/converters/README.md)`);
  mkdirSync(SUITE, { recursive: true });
  const stage = mkdtempSync(join(tmpdir(), 'steward-convert-'));
  try {
    if (!only || only.startsWith('hef')) await humanEvalFix(stage);
    if (!only || only.startsWith('rfty')) await refactory(stage);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  const summary = Object.fromEntries(
    [...tallies].map(([source, t]) => [
      source,
      {
        examined: t.examined,
        kept: t.kept,
        leftOut: Object.fromEntries([...t.left].sort((a, b) => b[1] - a[1])),
        hidden: { scope: hiddenScope, silentWrongLeftOut: t.silentWrong },
      },
    ]),
  );
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(SUITE, summaryFile), `${JSON.stringify(summary, null, 2)}\n`);
}

await main();
