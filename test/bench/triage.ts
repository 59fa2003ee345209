import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { openLibrary } from '../../orchestrator/library/library.ts';
import { triageOnce } from '../../agents/manager/index.ts';
import { openManager } from '../../agents/manager/open.ts';
import { ensureRedis, stopRedis } from '../../orchestrator/redis/server.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { fmt, median } from './stats.ts';

/** A library of `plugins` plugins with `groups` open error groups spread over them. */
export async function fleet(plugins: number, groups: number): Promise<{ root: string; stateDir: string }> {
  const root = mkdtempSync(join(tmpdir(), 'sb-triage-'));
  mkdirSync(join(root, 'templates', 'linked'), { recursive: true });
  mkdirSync(join(root, 'playbooks'));
  writeFileSync(join(root, 'playbooks', 'default.md'), '---\nname: default\n---\n# Default playbook\n');
  symlinkSync('../../playbooks/default.md', join(root, 'templates', 'linked', 'PLAYBOOK.md'));
  for (let p = 0; p < plugins; p++) {
    const name = `plugin-${String(p).padStart(4, '0')}`;
    const dir = join(root, 'plugins', name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    mkdirSync(join(dir, '.steward'));
    symlinkSync('../../../templates/linked/PLAYBOOK.md', join(dir, '.steward', 'PLAYBOOK.md'));
    writeFileSync(join(dir, 'AGENT.md'), `# ${name}\n`);
    writeFileSync(join(dir, 'src', 'index.js'), 'export default { execute: (i) => i };\n');
    writeFileSync(
      join(dir, 'plugin.json'),
      JSON.stringify({ name, version: '1.0.0', description: 'Bench.', runtime: 'node', entry: 'src/index.js', test: { command: ['true'], format: 'exit-code' } }),
    );
  }
  const stateDir = join(root, '.steward');
  const redis = new Redis((await ensureRedis(stateDir)).options);
  const store = new GroupStore(redis);
  const now = Date.now();
  for (let g = 0; g < groups; g++) {
    await store.record({
      eventId: `e${g}`,
      fingerprint: `g${String(g).padStart(6, '0')}`,
      plugin: `plugin-${String(g % plugins).padStart(4, '0')}`,
      type: 'TypeError',
      message: `m${g}`,
      version: '1.0.0',
      level: g % 7 === 0 ? 'fatal' : 'error',
      sample: '{}',
      at: now - (g % 100) * 60_000,
      sampleSize: 10,
      threshold: { events: 10, windowSeconds: 3600 },
      dedupeSeconds: 3600,
    });
  }
  redis.disconnect();
  return { root, stateDir };
}

/** One triage pass on a fresh fleet: its wall time and what it decided. */
async function onePass(plugins: number): Promise<{ ms: number; groups: number; dispatched: number; held: number }> {
  const { root, stateDir } = await fleet(plugins, plugins * 5);
  try {
    const library = openLibrary({ library: root });
    // No proposal limits: every plugin gets its run, so the pass does the most work it can.
    library.config.manager.prConcurrentLimit = 0;
    library.config.manager.prHourlyLimit = 0;
    library.config.manager.tokenBudget.daily = 0;
    const deps = await openManager(library, { runTests: false });
    const start = process.hrtime.bigint();
    const state = await triageOnce(deps);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    await deps.close();
    return { ms, groups: state.groups.length, dispatched: state.dispatched.length, held: state.held.length };
  } finally {
    await stopRedis(stateDir);
    rmSync(root, { recursive: true, force: true });
  }
}

/** One triage pass (test runs excluded) at 100 and 1,000 plugins, 5 open groups each; the median of 3 fresh fleets. */
export async function run(): Promise<void> {
  const sizes = (process.env.BENCH_SIZES ?? '100,1000').split(',').map(Number);
  const medians: number[] = [];
  for (const plugins of sizes) {
    const passes = [];
    for (let i = 0; i < 3; i++) passes.push(await onePass(plugins));
    const ms = median(passes.map((p) => p.ms));
    medians.push(ms);
    const last = passes[passes.length - 1] ?? { groups: 0, dispatched: 0, held: 0 };
    console.log(
      `${plugins} plugins, ${last.groups} open groups: one pass ${fmt(ms)} median of 3 (target < 2 s at 1,000), ${last.dispatched} runs dispatched, ${last.held} held back; ${(ms / Math.max(1, last.dispatched)).toFixed(2)} ms per dispatched run`,
    );
  }
  if (medians.length === 2) console.log(`growth: ${((medians[1] ?? 0) / (medians[0] ?? 1)).toFixed(1)}x the time for ${(sizes[1] ?? 0) / (sizes[0] ?? 1)}x the plugins`);
}
