import type { Command } from 'commander';
import { summary } from '../commands.ts';
import { openManager, readFleetSummary, triageOnce } from '../../../agents/manager/index.ts';
import { captureDrops } from '../../ingest/runtime.ts';
import { libraryFrom } from '../context.ts';
import { print, printJson } from '../output.ts';

export function registerTriage(program: Command): void {
  program
    .command('triage')
    .description(summary('triage'))
    .requiredOption('--once', 'run one pass now (scheduled passes run in `steward worker` and `steward start`)')
    .option('--no-tests', 'do not run plugin test suites to refresh health')
    .option('--json', 'machine-readable output')
    .action(async (options: { tests: boolean; json?: boolean }, command: Command) => {
      const deps = await openManager(libraryFrom(command), { runTests: options.tests });
      try {
        const state = await triageOnce(deps, 'manual');
        if (options.json) return printJson({ version: 1, ...state.summary });
        print(`${state.plugins.length} plugin(s), ${state.groups.length} open group(s), ${state.activeRuns.length} active run(s)`);
        for (const run of state.dispatched) print(`  dispatched ${run.run}  ${run.plugin}  group ${run.group.slice(0, 12)}`);
        for (const item of state.held) print(`  held back   ${item.plugin}  group ${item.group.slice(0, 12)}: ${item.reason}`);
      } finally {
        await deps.close();
      }
    });

  program
    .command('status')
    .description(summary('status'))
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }, command: Command) => {
      const library = libraryFrom(command);
      const summary = readFleetSummary(library);
      const dropped = await captureDrops(library);
      if (options.json) return printJson({ version: 1, ...summary, capture: { dropped } });
      print(
        `last triage ${summary.at}: ${summary.plugins} plugin(s) ${Object.entries(summary.health)
          .map(([h, n]) => `${n} ${h}`)
          .join(', ')}`,
      );
      print(`${summary.openGroups} open group(s), ${summary.activeRuns} active run(s) before it; it dispatched ${summary.dispatched.length} and held back ${summary.held.length}`);
      for (const p of summary.unhealthy) print(`  ${p.health.padEnd(11)} ${p.name}${p.reason ? `: ${p.reason}` : ''}`);
      const total = Object.values(dropped).reduce((a, b) => a + b, 0);
      if (total > 0)
        print(
          `capture: ${total} event(s) dropped by plugin hosts (${Object.entries(dropped)
            .map(([why, n]) => `${why} ${n}`)
            .join(', ')})`,
        );
    });
}
