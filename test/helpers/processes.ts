import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { STEWARD_ROOT } from './git.ts';

/** Every live process's command line, other than the `ps` that lists them. */
export function psArgs(): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line && !line.startsWith('ps -eo'));
}

/** Live processes whose command line names `path` or whose working directory is under it, with their memory cgroup. */
export function processesAt(path: string): { line: string; cgroup: string | undefined }[] {
  const found: { line: string; cgroup: string | undefined }[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // A kernel thread, or gone.
      }
      if (!args.includes(path) && !cwd.startsWith(path)) continue;
      const cgroup = /^\d+:memory:\/steward\/([^/\n]+)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
      found.push({ line: `${pid} ${args.slice(0, 200)}`, cgroup });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return found;
}

/** Polls `check` until it holds or `ms` passes; the answer is the last check. */
export async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}

/** A TypeScript script in its own process; resolves once it prints "ready". */
export async function spawnProcess(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: STEWARD_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolveReady, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolveReady();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
  return child;
}

/**
 * As spawnProcess, with everything the process prints and its exit recorded from the
 * start: a process may finish before its caller, busy spawning others, listens.
 */
export async function spawnRecorded(script: string, args: string[]): Promise<{ child: ChildProcess; exited: Promise<string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: STEWARD_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const exited = new Promise<string>((resolveExit) => child.once('exit', () => resolveExit(out)));
  await new Promise<void>((resolveReady, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolveReady();
    });
    void exited.then(() => (out.includes('ready') ? resolveReady() : reject(new Error(`exited before it was ready: ${out}`))));
  });
  return { child, exited };
}

export { freePort } from '../../orchestrator/core/free-port.ts';
