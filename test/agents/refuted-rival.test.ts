import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { candidateKey, type Candidate, type Fixer, type FixRequest } from '../../agents/fixers/types.ts';
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

/** A fixer that tries one replacement per round, the first an earlier round did not, and says whether it has more (as the offline fixer does). */
function oneARound(lines: string[]): Fixer {
  return {
    name: 'rounds',
    propose: async (request: FixRequest): Promise<Candidate[]> => {
      const left = lines
        .map((line, i) => ({ fixer: 'rounds', files: { 'src/index.js': ORIGINAL.replace('  const first = xs[0];', `  ${line}`) }, rationale: `candidate ${i + 1}: ${line}` }))
        .filter((c) => !request.skip?.has(candidateKey(c.files)));
      const [next] = left;
      if (next) request.emit('candidate-tried', { fixer: 'rounds', verdict: 'passes', key: candidateKey(next.files) });
      request.emit('fixer-stopped', { fixer: 'rounds', why: next ? 'one a round' : 'none left', more: left.length > 1 });
      return next ? [next] : [];
    },
  };
}

async function runWith(lines: string[], output?: Record<string, unknown>, fixer: (lines: string[]) => Fixer = fixerOf) {
  const s = await agentSetup(cleanups, 'firsts', () => [{ xs: [] }], 'propose', [fixer(lines)], undefined, process.env, firstsPlugin(output));
  const run = await s.dispatch();
  const state = await executeRun({ run: run.id }, s.deps, new AbortController());
  return { s, run, state };
}

describe('a rival refuted only on other inputs', () => {
  // Both pass the reproduction and the plugin's test. The second also breaks every list of one
  // (it reads xs[1]), which only the generated inputs show, and answers the empty list otherwise.
  const RIGHT = 'const first = xs[0] ?? { value: 0 };';
  // Breaks a list of one with an error of its own, not the production error.
  const ONE_ITEM = "if (input.xs.length === 1) throw new RangeError('one item');";

  it('leaves the survivor to a person when the refuted rival answered the failing call otherwise', async () => {
    const { s, state } = await runWith([RIGHT, `${ONE_ITEM} const first = xs.length ? xs[1] : { value: 1 };`]);
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

  it('proposes the survivor when the rival still fails with the production error elsewhere: the fault is still there', async () => {
    const { s, run, state } = await runWith([RIGHT, 'const first = xs.length ? xs[1] : { value: 1 };']);
    expect(state).toBe('awaiting_approval');
    const proposal = JSON.parse(readFileSync(join(s.library.paths.state, 'runs', run.id, 'proposal.json'), 'utf8')) as { diff: string };
    expect(proposal.diff).toContain(`+  ${RIGHT}`);
    const reasons = (await s.store.events(run.id)).filter((e) => e.kind === 'candidate').map((e) => String((e.data as { reason?: string }).reason ?? ''));
    expect(reasons.join('\n')).toMatch(/the fix fails with TypeError: .*reading 'value'.*, the production error itself: the fault is still there/);
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

  describe('over search rounds', () => {
    it('goes on searching when every candidate of a round is rejected, and proposes what a later round found', async () => {
      // The first breaks the plugin's test (it doubles 0, not 3); the fixer has more.
      const { s, run, state } = await runWith(['const first = { value: 0 };', RIGHT], undefined, oneARound);
      expect(state).toBe('awaiting_approval');
      const proposal = JSON.parse(readFileSync(join(s.library.paths.state, 'runs', run.id, 'proposal.json'), 'utf8')) as { diff: string };
      expect(proposal.diff).toContain(`+  ${RIGHT}`);
      const events = await s.store.events(run.id);
      expect(events.filter((e) => e.kind === 'search-round').map((e) => e.data)).toEqual([{ round: 2, skipped: 1 }]);
      expect(events.filter((e) => e.kind === 'candidate').map((e) => (e.data as { verdict: string }).verdict)).toEqual(['rejected', 'validated']);
    }, 180_000);

    it('holds a later round to the rivals an earlier round refuted', async () => {
      const { s, state } = await runWith([`${ONE_ITEM} const first = xs.length ? xs[1] : { value: 1 };`, RIGHT], undefined, oneARound);
      expect(state).toBe('completed');
      const comments = (await s.tracker.getIssue(1))?.comments.map((c) => c.body).join('\n') ?? '';
      expect(comments).toMatch(/1 of them was refuted on other inputs/);
      expect(await s.tracker.listProposals()).toEqual([]);
    }, 180_000);

    it('stops after its last round', async () => {
      const wrong = [0, 1, 2, 4, 5].map((v) => `const first = { value: ${v} };`);
      const { s, run, state } = await runWith(wrong, undefined, oneARound);
      expect(state).toBe('completed');
      const events = await s.store.events(run.id);
      expect(events.filter((e) => e.kind === 'search-round')).toHaveLength(2);
      expect(events.filter((e) => e.kind === 'candidate')).toHaveLength(3);
    }, 180_000);
  });
});
