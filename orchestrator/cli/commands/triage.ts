import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { StewardError } from '../../core/errors.ts';
import { triageOnce } from '../../manager/index.ts';
import { openManager, stateDatabase } from '../../manager/open.ts';
import { SqliteRunStore } from '../../runs/sqlite-store.ts';
import { RUN_STATES, type RunState } from '../../runs/types.ts';
import { libraryFrom } from '../context.ts';
import { print, printJson, table } from '../output.ts';

export function registerTriage(program: Command): void {
  program
    .command('triage')
    .description('one pass of the Manager Agent: health, priorities, limits, and a run for each chosen group')
    .requiredOption('--once', 'run one pass now (the scheduled one arrives with `steward worker`)')
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
    .description('the fleet summary of the last triage pass')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }, command: Command) => {
      const file = join(libraryFrom(command).paths.state, 'status.json');
      if (!existsSync(file)) throw new StewardError('E_USAGE', 'no triage has run yet', { hint: 'steward triage --once' });
      const summary = JSON.parse(readFileSync(file, 'utf8')) as { at: string; plugins: number; health: Record<string, number>; openGroups: number; activeRuns: number; dispatched: unknown[]; held: { plugin: string; reason: string }[]; unhealthy: { name: string; health: string; reason: string | null }[] };
      if (options.json) return printJson({ version: 1, ...summary });
      print(`last triage ${summary.at}: ${summary.plugins} plugin(s) ${Object.entries(summary.health).map(([h, n]) => `${n} ${h}`).join(', ')}`);
      print(`${summary.openGroups} open group(s), ${summary.activeRuns} active run(s) before it; it dispatched ${summary.dispatched.length} and held back ${summary.held.length}`);
      for (const p of summary.unhealthy) print(`  ${p.health.padEnd(11)} ${p.name}${p.reason ? `: ${p.reason}` : ''}`);
    });

  const runs = program.command('runs').description('agent run sessions');
  runs
    .command('list')
    .description('runs, newest first')
    .option('--state <state>', `only this state (${RUN_STATES.join(', ')})`)
    .option('--plugin <name>', 'only this plugin')
    .option('--json', 'machine-readable output')
    .action((options: { state?: string; plugin?: string; json?: boolean }, command: Command) => {
      if (options.state && !RUN_STATES.includes(options.state as RunState)) throw new StewardError('E_USAGE', `--state must be one of ${RUN_STATES.join(', ')}`);
      const store = new SqliteRunStore(stateDatabase(libraryFrom(command)));
      try {
        const list = store.list({ ...(options.state ? { state: options.state as RunState } : {}), ...(options.plugin ? { plugin: options.plugin } : {}) });
        if (options.json) return printJson({ version: 1, runs: list });
        print(list.length === 0 ? 'no runs' : table(['RUN', 'STATE', 'PLUGIN', 'GROUP', 'TRIGGER', 'CREATED'], list.map((r) => [r.id, r.state, r.plugin, r.group.slice(0, 12), r.trigger, r.createdAt])));
      } finally {
        store.close();
      }
    });
  runs
    .command('show <run>')
    .description('one run: state, timeline, and what a person can do next')
    .option('--json', 'machine-readable output')
    .action((id: string, options: { json?: boolean }, command: Command) => {
      const store = new SqliteRunStore(stateDatabase(libraryFrom(command)));
      try {
        const run = store.get(id);
        if (!run) throw new StewardError('E_USAGE', `no run "${id}"`, { hint: 'steward runs list' });
        const events = store.events(id);
        if (options.json) return printJson({ version: 1, run, events });
        print(`${run.id}  ${run.state}  ${run.plugin}  group ${run.group}`);
        print(`trigger ${run.trigger}, playbook ${run.playbook} (${run.playbookHash}), fixer ${run.fixer}${run.model ? `, model ${run.model}` : ''}, stop after ${run.stopAfter}`);
        print(`next: ${run.nextAction ?? '-'}`);
        print('\ntimeline:');
        for (const event of events) print(`  ${event.at}  ${event.kind}  ${JSON.stringify(event.data)}`);
      } finally {
        store.close();
      }
    });
}
