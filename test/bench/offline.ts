import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OfflineFixer } from '../../agents/fixers/offline/index.ts';
import type { FixRequest } from '../../agents/fixers/types.ts';
import { checkCall, sandboxChecks } from '../../agents/plugin-agent/checks.ts';
import { rankFrames } from '../../agents/plugin-agent/nodes/localise.ts';
import { normaliseFrames, parseStack } from '../../orchestrator/ingest/stack.ts';
import { loadManifest } from '../../orchestrator/library/manifest.ts';
import { createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { fmt, median } from './stats.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Defect {
  plugin: string;
  fixable: boolean;
  trigger: { input: unknown };
}

/**
 * The offline fixer on the example library's recorded defects, as the agent calls it:
 * the defect's input run once in the sandbox for its stack, the stack ranked into
 * suspects, then the search, checked in the sandbox. Reports, per defect, the median
 * time to a validated fix, the candidates tried, and tries per minute. Until the eval
 * suite exists (issue 8), this is the offline fixer's figure of speed.
 */
export async function run(): Promise<void> {
  const defects = readdirSync(join(ROOT, 'orchestrator/cli/demo-defects'))
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(ROOT, 'orchestrator/cli/demo-defects', name), 'utf8')) as Defect);
  const signal = new AbortController().signal;
  const times: number[] = [];
  process.stdout.write(`offline fixer, ${RUNS} run(s) per defect (BENCH_RUNS), medians:\n`);
  for (const defect of defects) {
    const dir = join(ROOT, 'plugins', defect.plugin);
    const manifest = loadManifest(dir, `${defect.plugin}/plugin.json`);
    // The plugin's declared variables, given placeholder values: a bench has no secrets.
    const env = Object.fromEntries(manifest.env.map((v) => [v.name, `bench-${v.name.toLowerCase()}`]));
    const call = { op: 'execute' as const, input: defect.trigger.input };
    const copy = createWorkingCopy(dir);
    const failing = await checkCall(manifest, copy, call, env, signal);
    copy.dispose();
    if (failing.ok) {
      process.stdout.write(`  ${defect.plugin.padEnd(16)} not reproduced here\n`);
      continue;
    }
    const frames = normaliseFrames(parseStack(failing.error.stack ?? ''), { plugin: defect.plugin, pluginRoots: [copy.dir] });
    const suspects = rankFrames(frames);
    const samples: { ms: number; tried: number; validated: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      let stopped: Record<string, unknown> = {};
      const request = {
        plugin: defect.plugin,
        dir,
        manifest,
        suspects,
        context: { error: { firstSeen: '1970-01-01T00:00:00.000Z' } },
        reproduction: { request: call, error: failing.error },
        budget: {},
        signal,
        emit: (kind: string, data: unknown) => {
          if (kind === 'fixer-stopped') stopped = data as Record<string, unknown>;
        },
        spendTokens: () => undefined,
        ...sandboxChecks(manifest, call, env, signal),
      } as unknown as FixRequest;
      const start = process.hrtime.bigint();
      const found = await new OfflineFixer().propose(request);
      samples.push({ ms: Number(process.hrtime.bigint() - start) / 1e6, tried: Number(stopped.tried ?? 0), validated: found.length });
    }
    const ms = median(samples.map((s) => s.ms));
    const tried = median(samples.map((s) => s.tried));
    const fixed = samples.every((s) => s.validated > 0);
    if (fixed) times.push(ms);
    process.stdout.write(
      `  ${defect.plugin.padEnd(16)} ${fixed ? 'fixed    ' : 'no fix   '} ${fmt(ms).padStart(9)}  ${String(tried).padStart(3)} candidates tried  ${Math.round((tried / Math.max(ms, 1)) * 60_000)}/min\n`,
    );
  }
  process.stdout.write(`fixed ${times.length} of ${defects.length}; median time to a validated fix ${times.length ? fmt(median(times)) : '-'} (target under 30 s)\n`);
}
