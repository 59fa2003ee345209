import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Candidate, Fixer } from '../../agents/fixers/types.ts';
import { executeRun } from '../../orchestrator/runs/execute-run.ts';
import { agentSetup, type Cleanups } from '../helpers/agent-setup.ts';
import { manifestFor, writePlugin } from '../helpers/plugins.ts';
import { tempDir } from '../helpers/temp.ts';

const cleanups: Cleanups = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const ORIGINAL = `export default { name: 'firsts', execute(input) {
  const xs = input.xs;
  const first = xs[0];
  return { doubled: first.value * 2 };
} };
`;

/** Doubles the first value of a list; crashes on an empty one. Its one test uses a list of two equal values. */
function firstsPlugin(output: Record<string, unknown> = { type: 'object' }): string {
  const item = { type: 'object', properties: { value: { type: 'integer', minimum: 0, maximum: 9 } }, required: ['value'], additionalProperties: false };
  return writePlugin(join(tempDir(), 'firsts'), 'firsts', {
    manifest: manifestFor('firsts', {
      interface: { input: { type: 'object', properties: { xs: { type: 'array', items: item, maxItems: 4 } }, required: ['xs'] }, output },
    }),
    files: {
      'src/index.js': ORIGINAL,
      'test/index.test.js':
        "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport p from '../src/index.js';\ntest('doubles the first', () => assert.deepEqual(p.execute({ xs: [{ value: 3 }, { value: 3 }] }), { doubled: 6 }));\n",
    },
  });
}

/** A fixer that proposes the given replacements of the line that crashed, in order. */
function fixerOf(lines: string[]): Fixer {
  return {
    name: 'static',
    propose: async (): Promise<Candidate[]> =>
      lines.map((line, i) => ({ fixer: 'static', files: { 'src/index.js': ORIGINAL.replace('  const first = xs[0];', `  ${line}`) }, rationale: `candidate ${i + 1}: ${line}` })),
  };
}

async function runWith(lines: string[], output?: Record<string, unknown>) {
  const s = await agentSetup(cleanups, 'firsts', () => [{ xs: [] }], 'propose', [fixerOf(lines)], undefined, process.env, firstsPlugin(output));
  const run = await s.dispatch();
  const state = await executeRun({ run: run.id }, s.deps, new AbortController());
  return { s, run, state };
}

describe('a rival refuted only on other inputs', () => {
  // Both pass the reproduction and the plugin's test. The second also breaks every list of one
  // (it reads xs[1]), which only the generated inputs show, and answers the empty list otherwise.
  const RIGHT = 'const first = xs[0] ?? { value: 0 };';

  it('leaves the survivor to a person when the refuted rival answered the failing call otherwise', async () => {
    const { s, state } = await runWith([RIGHT, 'const first = xs.length ? xs[1] : { value: 1 };']);
    expect(state).toBe('completed');
    const comments = (await s.tracker.getIssue(1))?.comments.map((c) => c.body).join('\n') ?? '';
    expect(comments).toMatch(
      /2 fixes that pass the reproduction and the tests disagree on what the failing call should return \(\{"doubled":0\} vs \{"doubled":2\}\); 1 of them was refuted on other inputs/,
    );
    expect(comments).toMatch(
      /candidate 2 \(static\): the call returns \{"doubled":2\} \(refuted on other inputs\)[\s\S]*Refuted: it turns a success into a failure on input \{"xs":\[\{"value":\d\}\]\}/,
    );
    expect((await s.tracker.getIssue(1))?.labels).toContain('needs-human');
    expect(await s.tracker.listProposals()).toEqual([]);
  }, 180_000);

  it('proposes the survivor when the refuted rival agreed on the failing call', async () => {
    const { s, run, state } = await runWith([RIGHT, 'const first = xs.length ? xs[1] : { value: 0 };']);
    expect(state).toBe('awaiting_approval');
    const proposal = JSON.parse(readFileSync(join(s.library.paths.state, 'runs', run.id, 'proposal.json'), 'utf8')) as { diff: string };
    expect(proposal.diff).toContain(`+  ${RIGHT}`);
  }, 180_000);

  it('proposes the survivor when the rival was refuted by its own answer, of a kind the plugin never gives', async () => {
    // The rival answers the empty list with the list itself: every other answer of the plugin is an object, which no output schema says here.
    const { s, run, state } = await runWith(['if (!xs.length) return xs; const first = xs[0];', RIGHT], {});
    expect(state).toBe('awaiting_approval');
    const proposal = JSON.parse(readFileSync(join(s.library.paths.state, 'runs', run.id, 'proposal.json'), 'utf8')) as { diff: string };
    expect(proposal.diff).toContain(`+  ${RIGHT}`);
  }, 180_000);
});
