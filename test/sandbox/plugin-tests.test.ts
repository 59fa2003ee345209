import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLibrary } from '../../orchestrator/library/library.ts';
import { loadManifest, type Manifest } from '../../orchestrator/library/manifest.ts';
import { runPluginTests } from '../../orchestrator/sandbox/plugin-tests.ts';
import { createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';

const library = openLibrary({ library: STEWARD_ROOT });

function example(name: string): { manifest: Manifest; dir: string } {
  const dir = join(library.paths.plugins, name);
  return { manifest: loadManifest(dir, `${name}/plugin.json`), dir };
}

async function withCopy<T>(name: string, work: (manifest: Manifest, copy: ReturnType<typeof createWorkingCopy>) => Promise<T>): Promise<T> {
  const { manifest, dir } = example(name);
  const copy = createWorkingCopy(dir);
  try {
    return await work(manifest, copy);
  } finally {
    copy.dispose();
  }
}

describe('runPluginTests on the example plugins, sandboxed', () => {
  it.each(['csv-import', 'paginate', 'log-summary', 'unit-convert'])('%s: its own suite passes with per-test results', async (name) => {
    const run = await withCopy(name, (manifest, copy) => runPluginTests(manifest, copy));
    expect(run.warnings).toEqual([]);
    expect(run.status).toBe('passed');
    expect(run.sandbox.isolation.backend).toBe('bubblewrap');
    expect(run.summary.failed).toBe(0);
    expect(run.summary.passed).toBeGreaterThanOrEqual(3);
    expect(new Set(run.tests.map((t) => t.name)).size).toBe(run.tests.length);
  });

  it('an added reproduction test that fails makes the run fail, naming the test and the message', async () => {
    const run = await withCopy('csv-import', (manifest, copy) =>
      runPluginTests(manifest, copy, {
        extraFiles: {
          'test/repro.test.js':
            "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\ntest('reproduces the production error', () => { assert.equal(1 + 1, 3, 'still broken'); });\n",
        },
        command: [...manifest.test.command, 'test/repro.test.js'],
      }),
    );
    expect(run.status).toBe('failed');
    const failing = run.tests.filter((t) => t.outcome === 'fail');
    expect(failing.map((t) => t.name)).toEqual(['reproduces the production error']);
    expect(failing[0]?.failure).toContain('still broken');
    expect(run.summary.passed).toBeGreaterThanOrEqual(3);
  });

  it('reads JUnit reports, and a stale report from an earlier run never passes for this one', async () => {
    await withCopy('unit-convert', async (manifest, copy) => {
      const first = await runPluginTests(manifest, copy);
      expect(first.status).toBe('passed');
      expect(first.tests.every((t) => t.durationMs !== undefined)).toBe(true);
      const broken = await runPluginTests(manifest, copy, { command: ['python3', '-c', 'import sys; sys.exit(0)'] });
      expect(broken.status).toBe('error');
      expect(broken.warnings.join(' ')).toMatch(/no JUnit report|no test results/);
    });
  });

  it('a suite that runs out of time is an error, not a pass', async () => {
    const run = await withCopy('csv-import', (manifest, copy) => runPluginTests(manifest, copy, { command: ['node', '-e', 'setTimeout(() => {}, 60000)'], timeoutMs: 500 }));
    expect(run.status).toBe('error');
    expect(run.sandbox.status).toBe('timeout');
  });

  it('exit-code suites count as one test named after the plugin', async () => {
    const run = await withCopy('csv-import', (manifest, copy) => runPluginTests(manifest, copy, { command: ['sh', '-c', 'echo checking; exit 1'], format: 'exit-code' }));
    expect(run.status).toBe('failed');
    expect(run.tests).toEqual([expect.objectContaining({ name: 'csv-import', outcome: 'fail' })]);
  });
});

describe('an untrusted JUnit report', () => {
  it('a FIFO or a symlink to a host file in place of the report neither hangs steward nor is read', async () => {
    for (const setup of ['mkfifo test-results/junit.xml', 'ln -s /etc/hostname test-results/junit.xml']) {
      const run = await withCopy('unit-convert', (manifest, copy) => runPluginTests(manifest, copy, { command: ['sh', '-c', `mkdir -p test-results && ${setup}`] }));
      expect(run.status).toBe('error');
      expect(run.tests).toEqual([]);
      expect(run.warnings.join(' ')).toMatch(/no JUnit report/);
    }
  });
});
