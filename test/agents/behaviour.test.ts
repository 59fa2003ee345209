import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BehaviourOracle, generateInputs, outputComparer } from '../../agents/plugin-agent/behaviour/index.ts';
import { compileJsonSchema } from '../../orchestrator/core/json-schema.ts';
import { invokeMany } from '../../orchestrator/host/invoke-once.ts';
import { loadManifest } from '../../orchestrator/library/manifest.ts';
import { createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { manifestFor, writePlugin } from '../helpers/plugins.ts';
import { tempDir } from '../helpers/temp.ts';

const VALUES = { type: 'object', properties: { values: { type: 'array', items: { type: 'integer', minimum: -50, maximum: 50 }, maxItems: 6 } }, required: ['values'] };

/** A plugin whose `max` crashes on an empty list (reduce without a start): the defect. */
function statsPlugin(source: string): string {
  const dir = writePlugin(join(tempDir(), 'stats'), 'stats', {
    manifest: manifestFor('stats', { interface: { input: VALUES, output: { type: 'object' }, ignoreOutputFields: ['/at'] }, limits: { timeoutMs: 1000 } }),
    files: { 'src/index.js': source },
  });
  return dir;
}

const ORIGINAL = `export default { name: 'stats', execute(input) {
  const xs = input.values;
  const max = xs.reduce((a, b) => Math.max(a, b));
  return { max, count: xs.length, at: Date.now() };
} };
`;
const RIGHT = ORIGINAL.replace('xs.reduce((a, b) => Math.max(a, b))', 'xs.length === 0 ? null : xs.reduce((a, b) => Math.max(a, b))');
// Silences the crash by never taking the path that crashed, and answers lists of one wrongly.
const SILENCING = ORIGINAL.replace('xs.reduce((a, b) => Math.max(a, b))', 'xs.length > 1 ? xs.reduce((a, b) => Math.max(a, b)) : 0');
// Makes the empty list work and breaks a list of one.
const BREAKING = ORIGINAL.replace('xs.reduce((a, b) => Math.max(a, b))', 'xs.length === 1 ? xs[1].v : xs.reduce((a, b) => Math.max(a, b), -Infinity)');

const TRAFFIC = [[3], [1, 5], [-2, -7, 4], [9], [0, 0], [7, 7, 8], [2], [4, 1], [6, 3, 2], [5, 5]].map((values) => ({
  input: { values },
  output: { max: Math.max(...values), count: values.length, at: 1_700_000_000_000 },
}));

function oracle(dir: string, traffic = TRAFFIC, generated = 60): BehaviourOracle {
  return new BehaviourOracle({
    manifest: loadManifest(dir, 'stats/plugin.json'),
    dir,
    env: {},
    signal: new AbortController().signal,
    traffic,
    captured: [{ values: [] }],
    generated,
    maxChangedShare: 0.1,
  });
}

async function judge(original: string, candidate: string, traffic = TRAFFIC, generated = 60) {
  const dir = statsPlugin(original);
  const changed = statsPlugin(candidate);
  const copy = createWorkingCopy(changed);
  try {
    return await oracle(dir, traffic, generated).judge(copy);
  } finally {
    copy.dispose();
  }
}

describe('inputs generated from interface.input', () => {
  it('are valid, distinct, repeatable for a seed, and borrow values from production', () => {
    const schema = { type: 'object', properties: { currency: { type: 'string' }, amount: { type: 'integer', minimum: 0 } }, required: ['currency', 'amount'] };
    const seeds = [
      { currency: 'EUR', amount: 12 },
      { currency: 'JPY', amount: 300 },
    ];
    const inputs = generateInputs(schema, seeds, 50, 7);
    const check = compileJsonSchema(schema);
    expect(inputs.length).toBeGreaterThanOrEqual(40);
    expect(check.ok && inputs.every((i) => check.validate(i))).toBe(true);
    expect(new Set(inputs.map((i) => JSON.stringify(i))).size).toBe(inputs.length);
    expect(generateInputs(schema, seeds, 50, 7)).toEqual(inputs);
    expect(generateInputs(schema, seeds, 50, 8)).not.toEqual(inputs);
    // Production's values show up (a real currency code), and so do values production never sent.
    expect(inputs.some((i) => ['EUR', 'JPY'].includes((i as { currency: string }).currency))).toBe(true);
    expect(inputs.some((i) => !['EUR', 'JPY'].includes((i as { currency: string }).currency))).toBe(true);
    // The seeds themselves are not generated again.
    expect(inputs).not.toContainEqual(seeds[0]);
  });

  it('for an input of positional arguments, nudges production values: numbers by a step, elements dropped or repeated, strings edited', () => {
    const schema = { type: 'object', properties: { args: { type: 'array' } }, required: ['args'], additionalProperties: false };
    const seeds = [{ args: [5, 5] }, { args: [[4, 3, 1, 2], 'Hello'] }];
    const inputs = generateInputs(schema, seeds, 60, 3) as { args: unknown[] }[];
    expect(inputs.length).toBeGreaterThanOrEqual(40);
    expect(new Set(inputs.map((i) => JSON.stringify(i))).size).toBe(inputs.length);
    expect(generateInputs(schema, seeds, 60, 3)).toEqual(inputs);
    // Near the first seed: two numbers, one moved by one.
    expect(inputs).toContainEqual({ args: [6, 5] });
    // Inside the second: the list nudged, the string kept; and the string nudged, the list kept.
    expect(inputs.some((i) => Array.isArray(i.args[0]) && JSON.stringify(i.args[0]) !== '[4,3,1,2]' && i.args[1] === 'Hello')).toBe(true);
    expect(inputs.some((i) => JSON.stringify(i.args[0]) === '[4,3,1,2]' && typeof i.args[1] === 'string' && i.args[1] !== 'Hello')).toBe(true);
    // Most are production's shape: that is what reaches the code a fix changed.
    expect(inputs.filter((i) => i.args.length === 2).length).toBeGreaterThan(inputs.length / 2);
  });

  it("grows an empty list from the input's other values: the crash on [] has neighbours the original answers", () => {
    const schema = { type: 'object', properties: { args: { type: 'array' } }, required: ['args'], additionalProperties: false };
    const inputs = generateInputs(schema, [{ args: [-100, []] }], 60, 5) as { args: unknown[] }[];
    const grown = inputs.filter((i) => Array.isArray(i.args[1]) && (i.args[1] as unknown[]).length > 0);
    expect(grown.length).toBeGreaterThan(3);
    // Made of production's own values (one nudge may move the number too).
    expect(grown.some((i) => (i.args[1] as unknown[]).includes(-100) || (i.args[1] as unknown[]).includes(i.args[0]))).toBe(true);
    expect(grown.every((i) => (i.args[1] as unknown[]).every((x) => typeof x === 'number'))).toBe(true);
  });

  it('nudges values at any depth of an object, and keeps within the schema', () => {
    const schema = {
      type: 'object',
      properties: { rows: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, n: { type: 'integer', minimum: 0 } }, required: ['name', 'n'] } } },
      required: ['rows'],
    };
    const seeds = [
      {
        rows: [
          { name: 'ada', n: 3 },
          { name: 'bob', n: 0 },
        ],
      },
    ];
    const inputs = generateInputs(schema, seeds, 40, 5) as { rows: { name: string; n: number }[] }[];
    const check = compileJsonSchema(schema);
    expect(check.ok && inputs.every((i) => check.validate(i))).toBe(true);
    expect(inputs.some((i) => i.rows.length === 2 && i.rows[0]?.name === 'ada' && i.rows[0].n !== 3 && i.rows[1]?.name === 'bob')).toBe(true);
    expect(inputs.some((i) => i.rows.length === 1)).toBe(true);
  });

  it('compares outputs as JSON, blind to the declared volatile fields only', () => {
    const same = outputComparer(['/at', '/rows/*/id']);
    expect(same({ a: 1, at: 5, rows: [{ id: 1, v: 2 }] }, { a: 1, at: 9, rows: [{ id: 7, v: 2 }] })).toBe(true);
    expect(same({ a: 1, rows: [{ id: 1, v: 2 }] }, { a: 1, rows: [{ id: 1, v: 3 }] })).toBe(false);
    expect(same({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(outputComparer()({ at: 1 }, { at: 2 })).toBe(false);
  });
});

describe('many calls in one batch', () => {
  it('answers every input of a Node plugin in order: outputs, throws, a call that hangs, and a crash that ends the process', async () => {
    const dir = statsPlugin(`export default { name: 'stats', async execute(input) {
  if (input.values[0] === 13) throw new RangeError('unlucky');
  if (input.values[0] === 42) await new Promise(() => {});
  if (input.values[0] === 99) process.exit(3);
  console.log('noise on stdout');
  return { first: input.values[0] };
} };
`);
    const copy = createWorkingCopy(dir);
    try {
      const inputs = [[1], [13], [2], [42], [3], [99], [4]].map((values) => ({ values }));
      const answers = await invokeMany({ manifest: loadManifest(dir, 'stats/plugin.json'), copy, inputs, env: {}, perCallMs: 500, totalMs: 20_000 });
      expect(answers.map((a) => (a.ok ? a.output : `${a.kind}:${a.error.type}`))).toEqual([
        { first: 1 },
        'plugin-error:RangeError',
        { first: 2 },
        'timeout:Timeout',
        { first: 3 },
        'crash:ProcessFailed',
        'not-run:NotRun',
      ]);
    } finally {
      copy.dispose();
    }
  });

  it('answers a Python plugin in one sandbox with a fresh process per call: no state carried, throws, exits, a hang with its stack', async () => {
    // Module state counts the calls one process has served: 1 every time if each call starts afresh.
    const main = `import json, sys, threading, time
CALLS = []

def answer(n):
    CALLS.append(n)
    if n == 13:
        raise ValueError("unlucky")
    if n == 42:
        while True:
            time.sleep(0.01)
    if n == 99:
        sys.exit(3)
    if n == 7:
        print("x" * 5_000_000)
    return {"first": n, "calls": len(CALLS)}

def late(n):
    time.sleep(0.05)
    print(json.dumps({"first": n, "from": "thread"}))

try:
    request = json.loads(sys.stdin.read())
    n = request["input"]["values"][0]
    # An answer a non-daemon thread writes: the process waits for it on its way out.
    if n == 5:
        threading.Thread(target=late, args=(n,)).start()
    else:
        print(json.dumps(answer(n)))
except Exception as error:
    print(json.dumps({"error": {"type": type(error).__name__, "message": str(error)}}), file=sys.stderr)
    sys.exit(1)
`;
    const dir = writePlugin(join(tempDir(), 'stats'), 'stats', {
      manifest: manifestFor('stats', {
        runtime: 'python',
        entry: 'src/main.py',
        test: { command: ['python3', '-c', 'pass'], format: 'tap' },
        interface: { input: VALUES, output: { type: 'object' } },
      }),
      files: { 'src/main.py': main },
    });
    const copy = createWorkingCopy(dir);
    try {
      const inputs = [[1], [13], [2], [42], [99], [7], [5], [3]].map((values) => ({ values }));
      const answers = await invokeMany({ manifest: loadManifest(dir, 'stats/plugin.json'), copy, inputs, env: {}, perCallMs: 1500, totalMs: 60_000 });
      expect(answers.map((a) => (a.ok ? a.output : `${a.kind}:${a.error.type}`))).toEqual([
        { first: 1, calls: 1 },
        'plugin-error:ValueError',
        { first: 2, calls: 1 },
        'timeout:Timeout',
        'plugin-error:ProcessFailed',
        'crash:OutputLimitExceeded',
        { first: 5, from: 'thread' },
        { first: 3, calls: 1 },
      ]);
      const hang = answers[3];
      // faulthandler's dump, taken before the limit, names the loop's line.
      expect(hang?.ok === false && hang.error.stack).toMatch(/src\/main\.py", line 1[01]/);
    } finally {
      copy.dispose();
    }
  }, 60_000);

  it('runs a process-protocol (Python) plugin through the batch runner', async () => {
    const dir = join(tempDir(), 'unit-convert');
    cpSync(join(STEWARD_ROOT, 'evals', 'sources', 'unit-convert', 'plugin'), dir, { recursive: true });
    const copy = createWorkingCopy(dir);
    try {
      const inputs = [
        { quantity: '5 km', to: 'm' },
        { quantity: '2 kg', to: 'g' },
        { quantity: 'five', to: 'm' },
      ];
      const answers = await invokeMany({ manifest: loadManifest(dir, 'stats/plugin.json'), copy, inputs, env: {}, perCallMs: 10_000, totalMs: 60_000 });
      expect(answers[0]).toMatchObject({ ok: true, output: { value: 5000, unit: 'm' } });
      expect(answers[1]).toMatchObject({ ok: true, output: { value: 2000, unit: 'g' } });
      expect(answers[2]?.ok).toBe(false);
    } finally {
      copy.dispose();
    }
  });
});

describe('a candidate held to recorded traffic and generated inputs', () => {
  it('passes the right fix: no recorded output changed, the captured input handled, shown before and after', async () => {
    const { reject, report, changes } = await judge(ORIGINAL, RIGHT);
    expect(reject).toBeUndefined();
    expect(changes).toBe(0);
    expect(report.traffic).toMatchObject({ recorded: 10, checked: 10, unreproducible: 0, broken: 0, changed: 0 });
    expect(report.generated.checked).toBeGreaterThan(20);
    expect(report.generated.broken + report.generated.changed).toBe(0);
    expect(report.production).toEqual([
      { input: { values: [] }, before: expect.stringMatching(/^TypeError: Reduce of empty array/), after: expect.stringMatching(/^\{"max":null,"count":0,"at":\d+\}$/) },
    ]);
  }, 60_000);

  it('rejects a fix that silences the crash and rewrites what production already got right', async () => {
    const { reject, report } = await judge(ORIGINAL, SILENCING);
    expect(reject).toMatch(/changes 3 of 10 recorded production outputs \(30%\), over the playbook's maxChangedOutputShare \(10%\)/);
    expect(report.traffic.examples[0]).toEqual({ input: { values: [3] }, before: '{"max":3,"count":1,"at":1700000000000}', after: expect.stringMatching(/^\{"max":0,"count":1/) });
    expect(report.generated.changed).toBeGreaterThan(0);
  }, 60_000);

  it('rejects a fix that makes a recorded success hang: a call that times out twice where the original answered', async () => {
    const hangs = ORIGINAL.replace('execute(input) {', 'async execute(input) {\n  if (input.values.length === 1) await new Promise(() => {});');
    const { reject, report } = await judge(ORIGINAL, hangs, TRAFFIC, 0);
    expect(reject).toMatch(/turns a recorded production success into a failure: input \{"values":\[3\]\} now fails with TimedOutTwice/);
    expect(report.traffic.broken).toBe(3);
  }, 90_000);

  it('rejects a fix that turns a recorded success into a failure, naming the input', async () => {
    const { reject, report } = await judge(ORIGINAL, BREAKING);
    expect(reject).toMatch(/turns a recorded production success into a failure: input \{"values":\[3\]\} now fails with TypeError/);
    expect(report.traffic.broken).toBe(3);
  }, 60_000);

  it('without traffic, the behaviour diff on generated inputs still rejects a success turned into a failure, and counts changes', async () => {
    const breaking = await judge(ORIGINAL, BREAKING, [], 60);
    expect(breaking.reject).toMatch(/turns a success into a failure on input \{"values":\[-?\d+\]\}/);
    const silencing = await judge(ORIGINAL, SILENCING, [], 60);
    expect(silencing.reject).toBeUndefined();
    expect(silencing.changes).toBeGreaterThan(0);
    expect(silencing.report.generated.examples[0]?.after).toMatch(/"max":0/);
  }, 60_000);

  it('on a positional-argument plugin with no traffic, sees a negated branch that moves the crash to the inputs the original answered', async () => {
    const schema = { type: 'object', properties: { args: { type: 'array' } }, required: ['args'] };
    const plugin = (source: string): string =>
      writePlugin(join(tempDir(), 'shift'), 'shift', { manifest: manifestFor('shift', { interface: { input: schema, output: {} } }), files: { 'src/index.js': source } });
    // Counts the descents of a list; the branch for exactly one reads a name that is not defined.
    const original = `export default { name: 'shift', execute(input) {
  const xs = input.args[0];
  let t = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] < xs[i - 1]) t++;
  if (t == 1) return j;
  return t;
} };
`;
    const negated = original.replace('if (t == 1)', 'if (t != 1)');
    const dir = plugin(original);
    const copy = createWorkingCopy(plugin(negated));
    try {
      const judged = await new BehaviourOracle({
        manifest: loadManifest(dir, 'shift/plugin.json'),
        dir,
        env: {},
        signal: new AbortController().signal,
        traffic: [],
        captured: [{ args: [[4, 3, 5, 6]] }],
        generated: 60,
        maxChangedShare: 0.1,
      }).judge(copy);
      expect(judged.reject).toMatch(/turns a success into a failure on input \{"args":\[\[.*\]\]\}: the original answered \d+, the fix fails with ReferenceError/);
    } finally {
      copy.dispose();
    }
  }, 60_000);

  it('rejects an answer to the production input of a kind the original never gave (a list from a function that returns an index), and passes the same kind', async () => {
    const schema = { type: 'object', properties: { args: { type: 'array' } }, required: ['args'] };
    const plugin = (source: string): string =>
      writePlugin(join(tempDir(), 'place'), 'place', { manifest: manifestFor('place', { interface: { input: schema, output: {} } }), files: { 'src/index.js': source } });
    // Where x goes in a sorted list; an empty list crashes on its last element.
    const original = `export default { name: 'place', execute(input) {
  const [x, xs] = input.args;
  if (x > xs[xs.length - 1].valueOf()) return xs.length;
  return xs.findIndex((e) => x <= e);
} };
`;
    const emptyReturned = original.replace('const [x, xs] = input.args;', 'const [x, xs] = input.args;\n  if (xs.length === 0) return xs;');
    const right = original.replace('const [x, xs] = input.args;', 'const [x, xs] = input.args;\n  if (xs.length === 0) return 0;');
    const dir = plugin(original);
    const judged = async (source: string) => {
      const copy = createWorkingCopy(plugin(source));
      try {
        return await new BehaviourOracle({
          manifest: loadManifest(dir, 'place/plugin.json'),
          dir,
          env: {},
          signal: new AbortController().signal,
          // Production's recorded successes: every answer an index.
          traffic: [
            [[3, [1, 2, 5]], 2],
            [[0, [1]], 0],
            [[9, [2, 4]], 2],
            [[4, [4, 6]], 0],
            [[7, [1, 7, 8]], 1],
          ].map(([args, output]) => ({ input: { args }, output })),
          captured: [{ args: [5, []] }],
          generated: 60,
          maxChangedShare: 0.1,
        }).judge(copy);
      } finally {
        copy.dispose();
      }
    };
    expect((await judged(emptyReturned)).reject).toMatch(
      /its answer to the production input, \[\], is a list: the original answered \d+ other calls, never with that kind of value \(a number\)/,
    );
    expect((await judged(right)).reject).toBeUndefined();
  }, 90_000);

  it("counts a refusal's own contract error on a generated input as a change, not a break", async () => {
    const refusing = ORIGINAL.replace(
      'const xs = input.values;',
      "const xs = input.values;\n  if (xs.some((x) => x < 0)) { const e = new Error('negative value'); e.name = 'InvalidInput'; throw e; }",
    );
    const dir = statsPlugin(ORIGINAL);
    const copy = createWorkingCopy(statsPlugin(refusing));
    try {
      const judged = await oracle(dir, [], 60).judge(copy, { type: 'InvalidInput' });
      expect(judged.reject).toBeUndefined();
      expect(judged.report.generated.broken).toBe(0);
      expect(judged.report.generated.changed).toBeGreaterThan(0);
      expect(judged.report.generated.examples[0]?.after).toMatch(/^InvalidInput: negative value/);
      // Without the refusal named, the same answers are breaks.
      expect((await oracle(dir, [], 60).judge(copy)).reject).toMatch(/turns a success into a failure/);
    } finally {
      copy.dispose();
    }
  }, 60_000);

  it('does not hold a candidate to a recorded call the original no longer answers so here', async () => {
    const stale = [...TRAFFIC.slice(0, 9), { input: { values: [2] }, output: { max: 3, count: 1, at: 0 } }];
    const { reject, report } = await judge(ORIGINAL, RIGHT, stale, 0);
    expect(reject).toBeUndefined();
    expect(report.traffic).toMatchObject({ recorded: 10, checked: 9, unreproducible: 1 });
  }, 60_000);
});
