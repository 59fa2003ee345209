import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateInputs } from '../../agents/plugin-agent/behaviour/index.ts';
import { STEWARD_ROOT } from '../../orchestrator/cli/commands/init.ts';
import { invokeMany, invokeOnce } from '../../orchestrator/host/invoke-once.ts';
import { loadManifest } from '../../orchestrator/library/manifest.ts';
import { createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import { fmt, median, timeMs } from './stats.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 40);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/**
 * What the behaviour checks pay per replayed call of a Python plugin: the same inputs
 * of the unit-convert plugin through `invokeMany` (one sandbox, a fork per call) and
 * as a sandboxed process per call, two at a time (how they ran before the batch).
 */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-batch-'));
  const plugin = join(dir, 'unit-convert');
  cpSync(join(STEWARD_ROOT, 'evals', 'sources', 'unit-convert', 'plugin'), plugin, { recursive: true });
  const manifest = loadManifest(plugin, 'unit-convert/plugin.json');
  const inputs = generateInputs(manifest.interface.input, [{ quantity: '5 km', to: 'm' }], CALLS, 3);
  const copy = createWorkingCopy(plugin);
  try {
    const batch: number[] = [];
    const each: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const many = await timeMs(() => invokeMany({ manifest, copy, inputs, env: {}, perCallMs: 5000, totalMs: 120_000 }));
      batch.push(many.ms);
      const one = await timeMs(async () => {
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < inputs.length) await invokeOnce({ manifest, copy, request: { op: 'execute', input: inputs[next++] }, env: {} });
        };
        await Promise.all([lane(), lane()]);
      });
      each.push(one.ms);
      if (round === 0 && many.value.some((a) => a.ok === false && a.kind === 'not-run')) throw new Error('the batch left inputs unanswered');
    }
    const [a, b] = [median(batch), median(each)];
    process.stdout.write(`python batch bench (${inputs.length} calls of unit-convert, ${ROUNDS} rounds, medians):\n`);
    process.stdout.write(`  one sandbox, a fork per call           ${fmt(a)} (${fmt(a / inputs.length)} a call)\n`);
    process.stdout.write(`  a sandboxed process per call, 2 lanes ${fmt(b)} (${fmt(b / inputs.length)} a call)\n`);
    process.stdout.write(`  ratio (process per call / batch): ${(b / a).toFixed(2)}\n`);
  } finally {
    copy.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
