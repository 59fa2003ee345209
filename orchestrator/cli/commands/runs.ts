import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { requirePlugin } from '../../library/library.ts';
import { summary } from '../commands.ts';
import { StewardError } from '../../core/errors.ts';
import { cancelRun, listCheckpoints, replayRun, requireRun, resumeRun } from '../../runs/control.ts';
import { openCheckpointer, openRunStore } from '../../runs/database.ts';
import { openRunControl } from '../../runs/open.ts';
import { readOutput } from '../../runs/output.ts';
import { RUN_STATES, type RunEvent, type RunRecord, type RunState } from '../../runs/types.ts';
import { libraryFrom } from '../context.ts';
import { cutTitle } from '../../core/title.ts';
import { EXIT } from '../exit-codes.ts';
import { print, printJson, table } from '../output.ts';

function eventLine(event: RunEvent): string {
  return `${event.at}  ${event.kind.padEnd(14)} ${JSON.stringify(event.data)}`;
}

function showRun(run: RunRecord): void {
  print(`${run.id}  ${run.state}  ${run.plugin}  group ${run.group}`);
  print(
    `trigger ${run.trigger}, playbook ${run.playbook} (${run.playbookHash}), fixer ${run.fixer}${run.model ? `, model ${run.model}` : ''}, stop after ${run.stopAfter}, ${run.tokensUsed} token(s)`,
  );
  if (run.outcome) print(`outcome: ${run.outcome}`);
  if (run.error) print(`error: ${run.error}`);
  print(`next: ${run.nextAction ?? '-'}`);
}

const FOLLOWING: RunState[] = ['queued', 'running'];

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description(summary('runs'));
  runs
    .command('list')
    .description('runs, newest first')
    .option('--state <state>', `only this state (${RUN_STATES.join(', ')})`)
    .option('--plugin <name>', 'only this plugin')
    .option('--json', 'machine-readable output')
    .action(async (options: { state?: string; plugin?: string; json?: boolean }, command: Command) => {
      if (options.state && !RUN_STATES.includes(options.state as RunState)) throw new StewardError('E_USAGE', `--state must be one of ${RUN_STATES.join(', ')}`);
      const library = libraryFrom(command);
      if (options.plugin) requirePlugin(library, options.plugin);
      const store = openRunStore(library);
      try {
        const list = await store.list({ ...(options.state ? { state: options.state as RunState } : {}), ...(options.plugin ? { plugin: options.plugin } : {}) });
        if (options.json) return printJson({ version: 1, runs: list });
        print(
          list.length === 0
            ? 'no runs'
            : table(
                ['RUN', 'STATE', 'PLUGIN', 'GROUP', 'TRIGGER', 'CREATED', 'OUTCOME'],
                list.map((r) => [r.id, r.state, r.plugin, r.group.slice(0, 12), r.trigger, r.createdAt, cutTitle(r.outcome ?? r.error ?? '-', 60)]),
              ),
        );
      } finally {
        await store.close();
      }
    });

  runs
    .command('show <run>')
    .description('one run: state, timeline, effects, checkpoints, and what a person can do next')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const library = libraryFrom(command);
      const store = openRunStore(library);
      const saver = openCheckpointer(library);
      try {
        const run = await requireRun(store, id);
        const events = await store.events(id);
        const checkpoints = await listCheckpoints(saver, id);
        if (options.json) return printJson({ version: 1, run, events, checkpoints });
        showRun(run);
        print('\ntimeline:');
        for (const event of events) print(`  ${eventLine(event)}`);
        if (checkpoints.length > 0) {
          print('\ncheckpoints (steward runs replay <run> --from <id|node>):');
          for (const c of checkpoints) print(`  ${c.id}  step ${String(c.step).padStart(3)}  next ${c.next.join(',') || '(end)'}`);
        }
      } finally {
        await store.close();
        await saver.close();
      }
    });

  runs
    .command('logs <run>')
    .description("a run's events and raw output; --follow until it stops running")
    .option('--follow', 'keep printing while the run is queued or running')
    .option('--json', 'events as JSON lines ({"event":…} and {"output":…})')
    .action(async (id: string, options: { follow?: boolean; json?: boolean }, command: Command) => {
      const library = libraryFrom(command);
      const store = openRunStore(library);
      let seq = 0;
      let offset = 0;
      const flush = async (): Promise<void> => {
        for (const event of await store.events(id, seq)) {
          seq = event.seq;
          if (options.json) process.stdout.write(`${JSON.stringify({ event })}\n`);
          else print(eventLine(event));
        }
        const output = readOutput(library, id, offset);
        offset = output.next;
        if (output.text) process.stdout.write(options.json ? `${JSON.stringify({ output: output.text })}\n` : output.text.replace(/^/gm, '  | '));
      };
      try {
        await requireRun(store, id);
        await flush();
        while (options.follow && FOLLOWING.includes((await requireRun(store, id)).state)) {
          await sleep(250);
          await flush();
        }
        await flush();
      } finally {
        await store.close();
      }
    });

  runs
    .command('cancel <run>')
    .description('cancel a run; a running one is stopped with its sandbox processes')
    .option('--wait <seconds>', 'how long to wait for the worker to stop it', '10')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { wait: string; json?: boolean }, command: Command) => {
      const ctl = await openRunControl(libraryFrom(command));
      try {
        const run = await cancelRun(ctl, id, Math.max(0, Number(options.wait) || 0) * 1000);
        if (options.json) printJson({ version: 1, run });
        else print(run.state === 'cancelled' ? `${id} cancelled` : `${id} is ${run.state}: its worker has not stopped it yet (it will at its next step)`);
        if (run.state !== 'cancelled') process.exitCode = EXIT.findings;
      } finally {
        await ctl.close();
      }
    });

  runs
    .command('resume <run>')
    .description('go on from the last checkpoint (a failed, cancelled or paused run, or one whose worker died)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const ctl = await openRunControl(libraryFrom(command));
      try {
        const run = await resumeRun(ctl, id);
        if (options.json) printJson({ version: 1, run });
        else print(`${id} queued; it goes on from its last checkpoint when a worker takes it`);
      } finally {
        await ctl.close();
      }
    });

  runs
    .command('replay <run>')
    .description("a new run from one of this run's checkpoints (default: its start)")
    .option('--from <checkpoint>', 'a checkpoint id, or a node name (the checkpoint before that node first ran)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { from?: string; json?: boolean }, command: Command) => {
      const library = libraryFrom(command);
      const ctl = await openRunControl(library);
      const saver = openCheckpointer(library);
      try {
        const run = await replayRun(ctl, saver, id, options.from);
        if (options.json) printJson({ version: 1, run });
        else print(`${run.id} queued: a replay of ${id}`);
      } finally {
        await saver.close();
        await ctl.close();
      }
    });
}
