import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSuite } from '../../evals/harness/task.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';

const DEV = join(STEWARD_ROOT, 'evals', 'suites', 'dev');

describe('the dev suite written by evals/converters', () => {
  const suite = loadSuite(DEV);

  it('loads, with at least 60 tasks in both languages', () => {
    expect(suite.tasks.length).toBeGreaterThanOrEqual(60);
    const runtimes = new Set(suite.tasks.map((t) => t.manifest.runtime));
    expect([...runtimes].sort()).toEqual(['node', 'python']);
  });

  it('gives every task events captured through the host, a SOURCE.md naming an upstream commit and licence, and visible and hidden tests', () => {
    for (const task of suite.tasks) {
      expect(task.spec.events.length, task.spec.id).toBeGreaterThan(0);
      for (const event of task.spec.events) expect(event.host?.name, task.spec.id).toBe('eval-capture');
      const source = readFileSync(join(task.dir, 'SOURCE.md'), 'utf8');
      expect(source, task.spec.id).toMatch(/commit `[0-9a-f]{40}`/);
      expect(source, task.spec.id).toMatch(/Licence: (MIT|LGPL-3\.0), see \[\.\.\/LICENSES\/[\w.-]+\]/);
      const licence = /\((\.\.\/LICENSES\/[\w.-]+)\)/.exec(source)?.[1] ?? '';
      expect(existsSync(join(task.dir, licence)), `${task.spec.id}: ${licence}`).toBe(true);
      expect(existsSync(join(task.hiddenDir, 'benchmark.test.mjs')), task.spec.id).toBe(true);
      const visible = task.manifest.runtime === 'python' ? 'test/test_visible.py' : 'test/visible.test.js';
      expect(existsSync(join(task.pluginDir, visible)), task.spec.id).toBe(true);
    }
  });

  it('never draws on QuixBugs', () => {
    for (const task of suite.tasks) expect(readFileSync(join(task.dir, 'SOURCE.md'), 'utf8'), task.spec.id).not.toMatch(/quixbugs/i);
  });
});
