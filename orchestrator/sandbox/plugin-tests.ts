import { realpathSync, rmSync } from 'node:fs';
import { readRegularFile } from '../core/files.ts';
import { join } from 'node:path';
import type { Manifest } from '../library/manifest.ts';
import { runSandboxed } from './run.ts';
import { parseTestOutput } from './results/index.ts';
import type { TestCase } from './results/types.ts';
import type { BackendName, SandboxResult } from './types.ts';
import { isInside } from '../library/tree.ts';
import { addFiles, type WorkingCopy } from './working-copy.ts';

const MAX_REPORT_BYTES = 32 * 1024 * 1024;

/**
 * The suite wrote the report, so it is untrusted: steward reads it only when it is a
 * regular file inside the working copy, not a link or a FIFO, and not too large.
 */
function readReport(dir: string, report: string): string | undefined {
  const path = join(dir, report);
  try {
    return isInside(realpathSync(dir), realpathSync(path)) ? readRegularFile(path, MAX_REPORT_BYTES) : undefined;
  } catch {
    return undefined;
  }
}

export interface PluginTestOptions {
  /** Files added to the working copy for this run only (a reproduction test, hidden tests). */
  extraFiles?: Record<string, string>;
  /** Replaces the manifest's test command (hidden tests have their own). */
  command?: string[];
  format?: Manifest['test']['format'];
  report?: string;
  /** Variables the tests see; secrets are never passed here. */
  env?: Record<string, string>;
  timeoutMs?: number;
  memoryMb?: number;
  signal?: AbortSignal;
  backend?: BackendName;
}

export interface PluginTestRun {
  /** passed: every test passed or was skipped; failed: a test failed; error: the suite did not run to the end. */
  status: 'passed' | 'failed' | 'error';
  tests: TestCase[];
  summary: { passed: number; failed: number; skipped: number };
  warnings: string[];
  sandbox: SandboxResult;
}

/** Runs the plugin's test suite (or the given command) in the sandbox and reads per-test results. */
export async function runPluginTests(manifest: Manifest, copy: WorkingCopy, options: PluginTestOptions = {}): Promise<PluginTestRun> {
  if (options.extraFiles) addFiles(copy, options.extraFiles);
  const format = options.format ?? manifest.test.format;
  const report = options.report ?? manifest.test.report;
  // A report left by an earlier run must not pass for this one's.
  if (report) rmSync(join(copy.dir, report), { force: true });
  const sandbox = await runSandboxed({
    argv: options.command ?? manifest.test.command,
    cwd: copy.dir,
    env: options.env ?? {},
    timeoutMs: options.timeoutMs ?? manifest.test.timeoutMs,
    memoryMb: options.memoryMb ?? Math.max(manifest.limits.memoryMb, 2048),
    readOnlyBinds: copy.binds,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
  });
  const reportXml = report ? readReport(copy.dir, report) : undefined;
  const parsed = parseTestOutput(format, {
    stdout: sandbox.stdout,
    ...(reportXml !== undefined ? { reportXml } : {}),
    exitCode: sandbox.exitCode,
    suiteName: manifest.name,
  });
  const summary = {
    passed: parsed.tests.filter((t) => t.outcome === 'pass').length,
    failed: parsed.tests.filter((t) => t.outcome === 'fail').length,
    skipped: parsed.tests.filter((t) => t.outcome === 'skip').length,
  };
  const warnings = [...parsed.warnings];
  let status: PluginTestRun['status'];
  if (sandbox.status !== 'ok' && sandbox.status !== 'failed') {
    status = 'error';
    warnings.push(`the suite did not finish: ${sandbox.status}${sandbox.reason ? ` (${sandbox.reason})` : ''}`);
  } else if (parsed.incomplete || parsed.tests.length === 0) {
    status = 'error';
    if (parsed.tests.length === 0) warnings.push('no test results in the output');
  } else if (summary.failed > 0 || sandbox.status === 'failed') {
    status = 'failed';
    if (summary.failed === 0) warnings.push(`the suite exited ${sandbox.exitCode} with no failing test reported`);
  } else {
    status = 'passed';
  }
  return { status, tests: parsed.tests, summary, warnings, sandbox };
}
