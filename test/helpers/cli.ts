import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { STEWARD_ROOT } from './git.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real `steward` command in a child process. */
export function steward(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): CliResult {
  const result = spawnSync(process.execPath, [join(STEWARD_ROOT, 'orchestrator/cli/steward.js'), ...args], {
    cwd: options.cwd ?? STEWARD_ROOT,
    encoding: 'utf8',
    env: { ...process.env, STEWARD_LIBRARY: '', ...options.env },
    timeout: options.timeoutMs ?? 120_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
