import { spawn } from 'node:child_process';
import { GitError } from '../../core/errors.ts';

/** Git must never stop to ask a person anything: no terminal prompt, no editor, no pager. */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_EDITOR: 'true',
    GIT_PAGER: 'cat',
    GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
    LC_ALL: 'C',
    ...extra,
  };
}

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs git and returns whatever it said; `git()` below is the throwing form. */
export function gitRaw(cwd: string, args: readonly string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    // A time limit kills git (SIGTERM) and the result carries its non-zero exit.
    const child = spawn('git', args, { cwd, env: gitEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'], ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new GitError('E_GIT_FAILED', 'git is not installed (apt-get install git)') : error));
    // git may exit before reading its input (a failed ref, say): the exit code tells.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) =>
      resolvePromise({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: code ?? 1,
      }),
    );
    if (options.input) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

export async function git(cwd: string, args: readonly string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<string> {
  const result = await gitRaw(cwd, args, options);
  if (result.code !== 0) {
    const said = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' / ');
    throw new GitError('E_GIT_FAILED', `git ${args[0]} failed: ${said}`);
  }
  return result.stdout;
}
