import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { requirePlugin } from '../../library/library.ts';
import { summary } from '../commands.ts';
import { messageOf, PartialError, StewardError } from '../../core/errors.ts';
import { writeFileAtomic } from '../../core/files.ts';
import { parseJsonText } from '../../core/json.ts';
import { createLogger } from '../../core/logger.ts';
import { enqueueEvents } from '../../ingest/enqueue.ts';
import { GROUP_STATUSES, type Group, type GroupStatus } from '../../ingest/groups.ts';
import { openErrors, waitForDrain } from '../../ingest/runtime.ts';
import { validateEvent } from '../../ingest/validate.ts';
import { startIngestConsumer } from '../../ingest/ingest-consumer.ts';
import { libraryRedis } from '../../redis/server.ts';
import { libraryFrom } from '../context.ts';
import { ago, print, printJson, progress, table } from '../output.ts';

function groupRows(groups: Group[]): string {
  return table(
    ['GROUP', 'PLUGIN', 'STATUS', 'COUNT', 'LEVEL', 'LAST SEEN', 'VERSIONS', 'ERROR'],
    groups.map((g) => [g.id.slice(0, 12), g.plugin, g.status, String(g.count), g.level, ago(g.lastSeen), g.versions.join(','), `${g.type}: ${g.message}`.slice(0, 80)]),
  );
}

/** Events from a file: one JSON object, an array of them, or NDJSON. */
function readEvents(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new StewardError('E_USAGE', `cannot read ${file}: ${messageOf(error)}`, { file });
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return parseJsonText(trimmed, file) as unknown[];
  try {
    return [parseJsonText(trimmed, file)];
  } catch {
    return trimmed
      .split('\n')
      .filter((l) => l.trim())
      .map((line, i) => parseJsonText(line, `${file} line ${i + 1}`));
  }
}

export function registerErrors(program: Command): void {
  const errors = program.command('errors').description(summary('errors'));

  errors
    .command('capture')
    .description('queue error events from a file (JSON object, array, or NDJSON)')
    .requiredOption('--file <path>', 'the events')
    .action(async (options: { file: string }, command: Command) => {
      const library = libraryFrom(command);
      const file = resolve(options.file);
      const events = readEvents(file);
      // All or nothing: one bad event and none is queued.
      const checked = events.map((raw, i) => ({ i, result: validateEvent(raw, () => true) }));
      const bad = checked.find((c) => !c.result.ok);
      if (bad && !bad.result.ok) {
        throw new StewardError('E_USAGE', `event ${bad.i + 1} rejected: ${bad.result.reason}`, { file: options.file });
      }
      const valid = checked.flatMap((c) => (c.result.ok ? [c.result.event] : []));
      const report = progress('queued');
      const result = await enqueueEvents(await libraryRedis(library), valid, { onProgress: report.update });
      report.done();
      if (result.error !== undefined) {
        // What was not queued is written beside the file: an exact list to send again.
        const rest = `${file}.not-queued.ndjson`;
        writeFileAtomic(rest, `${result.notQueued.map((i) => JSON.stringify(valid[i])).join('\n')}\n`);
        const why = `${result.notQueued.length} event(s) were not queued (${result.error}); they are in ${rest}: send it (or the whole file: event ids make a second send harmless) once Redis takes writes again`;
        // Nothing queued means nothing changed (exit 2); some queued is its own status (3).
        if (result.queued === 0) throw new StewardError('E_REDIS_UNREACHABLE', `no event was queued: ${why}`);
        throw new PartialError(`queued ${result.queued} of ${result.total} event(s) from ${options.file}; ${why}`);
      }
      print(`queued ${result.queued} event(s)`);
    });

  errors
    .command('list')
    .description('error groups, most recent first')
    .option('--plugin <name>', 'only this plugin')
    .option('--status <status>', `only this status (${GROUP_STATUSES.join(', ')})`)
    .option('--json', 'machine-readable output')
    .action(async (options: { plugin?: string; status?: string; json?: boolean }, command: Command) => {
      if (options.status && !GROUP_STATUSES.includes(options.status as GroupStatus)) {
        throw new StewardError('E_USAGE', `--status must be one of ${GROUP_STATUSES.join(', ')}`);
      }
      const library = libraryFrom(command);
      if (options.plugin) requirePlugin(library, options.plugin);
      const store = await openErrors(library);
      try {
        const groups = await store.groups.list({ ...(options.plugin ? { plugin: options.plugin } : {}), ...(options.status ? { status: options.status as GroupStatus } : {}) });
        if (options.json) return printJson({ version: 1, groups });
        print(groups.length === 0 ? 'no error groups' : groupRows(groups));
      } finally {
        await store.close();
      }
    });

  errors
    .command('show <group>')
    .description('one group: counts, versions, status and its recent scrubbed events')
    .option('--json', 'machine-readable output')
    .action(async (prefix: string, options: { json?: boolean }, command: Command) => {
      const store = await openErrors(libraryFrom(command));
      try {
        const ids = await store.groups.resolveId(prefix);
        if (ids.length !== 1 || !ids[0]) {
          throw new StewardError('E_GROUP_UNKNOWN', ids.length === 0 ? `no error group "${prefix}"` : `"${prefix}" matches ${ids.length} groups; give more of the id`);
        }
        const group = await store.groups.get(ids[0]);
        const samples = await store.groups.samples(ids[0]);
        if (options.json) return printJson({ version: 1, group, samples });
        if (!group) return;
        print(`${group.id}  ${group.plugin}  ${group.status}`);
        print(`${group.type}: ${group.message}`);
        print(
          `count ${group.count}, first seen ${group.firstSeen}, last seen ${group.lastSeen}, versions ${group.versions.join(', ')}${group.resolvedIn ? `, resolved in ${group.resolvedIn}` : ''}`,
        );
        const latest = samples[0] as
          { event?: { error?: { stack?: string }; invocation?: unknown }; frames?: { function: string | null; file: string; line: number | null; inApp: boolean }[] } | undefined;
        if (latest?.frames?.length) {
          print('\nframes (innermost first):');
          for (const f of latest.frames) print(`  ${f.inApp ? 'in-app' : '      '}  ${f.function ?? '<anonymous>'}  ${f.file}${f.line ? `:${f.line}` : ''}`);
        }
        if (latest?.event?.invocation) print(`\nlatest invocation (scrubbed): ${JSON.stringify(latest.event.invocation)}`);
        print(`\n${samples.length} sample(s) kept; --json shows them all`);
      } finally {
        await store.close();
      }
    });

  errors
    .command('dlq')
    .description('rejected events with their reasons; --requeue sends them through ingest again')
    .option('--requeue', 'move every dead letter back to the errors queue')
    .option('--json', 'machine-readable output')
    .action(async (options: { requeue?: boolean; json?: boolean }, command: Command) => {
      const store = await openErrors(libraryFrom(command));
      try {
        const jobs = await store.deadLetters();
        if (options.requeue) {
          const moved = await store.requeue(jobs);
          return print(`requeued ${moved} of ${jobs.length} dead letter(s)${moved < jobs.length ? '; the rest were not JSON objects and were dropped' : ''}`);
        }
        const letters = jobs.map((job) => ({ id: job.id, ...job.data }));
        if (options.json) return printJson({ version: 1, deadLetters: letters });
        if (letters.length === 0) return print('no dead letters');
        print(
          table(
            ['RECEIVED', 'SOURCE', 'REASON'],
            letters.map((l) => [l.receivedAt, l.source, l.reason.slice(0, 120)]),
          ),
        );
      } finally {
        await store.close();
      }
    });

  errors
    .command('work')
    .description('run the ingest worker: until Ctrl-C, or with --drain until the errors queue is empty')
    .option('--drain', 'stop once nothing is waiting')
    .option('--concurrency <n>', 'jobs at once', '16')
    .action(async (options: { drain?: boolean; concurrency: string }, command: Command) => {
      const library = libraryFrom(command);
      const target = await libraryRedis(library);
      const running = startIngestConsumer(target, library, { concurrency: Number(options.concurrency) || 16, log: createLogger({ component: 'ingest' }) });
      try {
        if (options.drain) {
          const bar = progress('ingest');
          let most = 0;
          await waitForDrain(target, 10 * 60_000, (left) => {
            most = Math.max(most, left);
            bar.update(most - left, most);
          });
          bar.done();
          print(`ingest: queue drained`);
        } else {
          print(`ingest worker on ${target.describe}; Ctrl-C stops it`);
          await new Promise<void>((resolveStop) => {
            process.once('SIGINT', () => resolveStop());
            process.once('SIGTERM', () => resolveStop());
          });
        }
      } finally {
        await running.close();
      }
    });
}
