import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openLibrary } from '../../orchestrator/library/library.ts';
import { loadManifest } from '../../orchestrator/library/manifest.ts';
import { runSandboxed } from '../../orchestrator/sandbox/run.ts';
import { createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { fmt, median } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const PLUGIN = process.env.BENCH_PLUGIN ?? 'csv-import';

function bare(argv: string[], cwd: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0] ?? '', argv.slice(1), { cwd, stdio: 'ignore', env: { PATH: '/usr/bin:/bin', HOME: '/tmp' } });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function sandboxed(argv: string[], cwd: string, binds: { source: string; target: string }[]): Promise<number> {
  const start = process.hrtime.bigint();
  const result = await runSandboxed({ argv, cwd, timeoutMs: 120_000, memoryMb: 2048, readOnlyBinds: binds });
  if (result.status !== 'ok') throw new Error(`${argv.join(' ')}: ${result.status} ${result.stderr.slice(-300)}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Sandbox overhead: the same commands bare and sandboxed, interleaved so drift hits both alike. */
export async function run(): Promise<void> {
  const library = openLibrary({ library: join(import.meta.dirname, '..', '..') });
  const manifest = loadManifest(join(library.paths.plugins, PLUGIN), `${PLUGIN}/plugin.json`);
  const copy = createWorkingCopy(join(library.paths.plugins, PLUGIN));
  try {
    const cases: [string, string[]][] = [
      ['node -e 0', ['node', '-e', '0']],
      [`${PLUGIN} test suite`, manifest.test.command],
    ];
    const isolation = (await runSandboxed({ argv: ['true'], cwd: copy.dir, timeoutMs: 5000 })).isolation;
    console.log(
      `sandbox: ${isolation.backend}, namespaces ${isolation.namespaces.join(',') || 'none'}, cgroup ${isolation.cgroup.join('+') || 'none'}; ${RUNS} runs each, interleaved`,
    );
    for (const [label, argv] of cases) {
      const b: number[] = [];
      const s: number[] = [];
      bare(argv, copy.dir);
      await sandboxed(argv, copy.dir, copy.binds);
      for (let i = 0; i < RUNS; i++) {
        b.push(bare(argv, copy.dir));
        s.push(await sandboxed(argv, copy.dir, copy.binds));
      }
      const ratios = b.map((x, i) => (s[i] ?? 0) / x);
      console.log(
        `${label.padEnd(28)} bare ${fmt(median(b)).padStart(9)}  sandboxed ${fmt(median(s)).padStart(9)}  median ratio ${median(ratios).toFixed(2)}x${label.includes('suite') ? '  (target <= 1.25x)' : ''}`,
      );
    }
  } finally {
    copy.dispose();
  }
}
