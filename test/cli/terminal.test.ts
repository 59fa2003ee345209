import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { steward } from '../helpers/cli.ts';
import { makeLibrary, STEWARD_ROOT } from '../helpers/git.ts';

const ESC = '\u001b[';

/** A proposal as a run leaves it for review, long enough to need a pager. */
function proposal(run: string): Record<string, unknown> {
  const body = Array.from({ length: 40 }, (_, i) => ` line ${i}`).join('\n');
  return {
    run,
    plugin: 'alpha',
    group: 'g1',
    issue: null,
    fixer: 'offline',
    rationale: 'the guard reads the right bound',
    files: { 'src/index.js': 'x' },
    diff: `diff --git a/src/index.js b/src/index.js\n--- a/src/index.js\n+++ b/src/index.js\n@@ -1,41 +1,41 @@\n-if (i <= n) {\n+if (i < n) {\n${body}`,
    stats: { files: 1, added: 1, removed: 1 },
    evidence: { before: 'the reproduction fails', after: 'the reproduction passes', suite: { passed: 3, failed: 0, baselinePassed: 3 }, warnings: [] },
    validated: 2,
    tried: 9,
    others: [{ fixer: 'offline', rationale: 'a guard before the loop', diff: '--- a/src/index.js\n+++ b/src/index.js\n+if (n === 0) return [];', outputsChanged: 4, warnings: [] }],
  };
}

/** Runs steward under a pseudo-terminal of 10 rows (util-linux `script`), as a person at a terminal would. */
function atTerminal(args: string[], env: Record<string, string>): string {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = `stty rows 10 cols 200; ${[process.execPath, join(STEWARD_ROOT, 'orchestrator/cli/steward.js'), ...args].map(quote).join(' ')}`;
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, STEWARD_LIBRARY: '', TERM: 'xterm', ...env }, timeout: 60_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

describe('steward at a terminal and in a pipe', () => {
  it('review show: colour and the pager on a terminal, plain text in a pipe and with NO_COLOR', async () => {
    const library = await makeLibrary();
    const run = 'run_terminal01';
    mkdirSync(join(library.paths.state, 'runs', run), { recursive: true });
    writeFileSync(join(library.paths.state, 'runs', run, 'proposal.json'), JSON.stringify(proposal(run)));
    const args = ['--library', library.root, 'review', 'show', run];
    // The pager is the reader's: one that marks each line shows it was used.
    const pager = { PAGER: 'sed "s/^/paged| /"' };

    const piped = steward(args, { env: pager });
    expect(piped.code).toBe(0);
    expect(piped.stdout).not.toContain(ESC);
    expect(piped.stdout).not.toContain('paged| ');
    expect(piped.stdout).toContain('\n-if (i <= n) {\n+if (i < n) {\n');
    expect(piped.stdout).toMatch(
      /other validated candidates: 1, ranked after this one\n {2}2\. offline: a guard before the loop \(changes 4 output\(s\)\)\n {7}\+if \(n === 0\) return \[\];/,
    );

    const coloured = atTerminal(args, pager);
    expect(coloured).toContain('paged| ');
    expect(coloured).toContain(`${ESC}32m+if (i < n) {`);
    expect(coloured).toContain(`${ESC}31m-if (i <= n) {`);

    const plain = atTerminal(args, { ...pager, NO_COLOR: '1' });
    expect(plain).toContain('paged| ');
    expect(plain).not.toContain(`${ESC}3`);
  }, 60_000);
});
