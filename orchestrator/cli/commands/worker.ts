import type { Command } from 'commander';
import { summary } from '../commands.ts';
import { openPluginAgent } from '../../../agents/plugin-agent/index.ts';
import { createLogger } from '../../core/logger.ts';
import type { AgentDefinition } from '../../runs/agent.ts';
import { serveHost } from '../../host/serve.ts';
import { libraryRedis } from '../../redis/server.ts';
import { startWorker } from '../worker-process.ts';
import { githubWebhook } from '../github-webhook.ts';
import { libraryFrom } from '../context.ts';
import { print } from '../output.ts';
import { untilSignalled } from '../signals.ts';
import { listening, printServing, wholeNumber, type ServeOptions } from './host.ts';
import { serviceChecks } from '../service.ts';
import { openConsole } from '../console.ts';

interface QueueOptions {
  ingest: boolean;
  triage: boolean;
  schedule: boolean;
  tests: boolean;
  ingestConcurrency?: string;
  runConcurrency?: string;
  json?: boolean;
}

function withQueueOptions(command: Command): Command {
  return command
    .option('--no-ingest', 'leave the errors queue to other workers')
    .option('--no-triage', 'leave the triage queue to other workers')
    .option('--no-schedule', 'do not upsert the scheduled triage (manager.schedule)')
    .option('--no-tests', 'triage without running plugin test suites')
    .option('--ingest-concurrency <n>', 'events ingested at once (default: workers.ingestConcurrency)')
    .option('--run-concurrency <n>', 'runs executed at once (default: workers.runConcurrency)')
    .option('--json', 'print JSON lines instead of text: one when started, one per run state change, one when stopping');
}

function workerOptions(options: QueueOptions, component: string, agent: AgentDefinition): Parameters<typeof startWorker>[2] {
  return {
    agent,
    ingest: options.ingest,
    triage: options.triage,
    schedule: options.schedule,
    runTests: options.tests,
    ...(options.ingestConcurrency ? { ingestConcurrency: wholeNumber('--ingest-concurrency', options.ingestConcurrency, 1, 256) } : {}),
    ...(options.runConcurrency ? { runConcurrency: wholeNumber('--run-concurrency', options.runConcurrency, 1, 64) } : {}),
    log: createLogger({ component }),
    onRunState: (change) =>
      print(
        options.json
          ? JSON.stringify({ event: 'run', at: new Date().toISOString(), ...change })
          : `${new Date().toISOString().slice(11, 19)} run ${change.run} ${change.plugin}: ${change.state}${change.note ? ` (${change.note.replace(/\s+/g, ' ').slice(0, 160)})` : ''}`,
      ),
  };
}

const STOPPING = 'stopping: runs are checkpointed and their sandboxes stopped';

export function registerWorker(program: Command): void {
  withQueueOptions(program.command('worker').description(summary('worker'))).action(async (options: QueueOptions, command: Command) => {
    const library = libraryFrom(command);
    const target = await libraryRedis(library);
    const worker = await startWorker(target, library, workerOptions(options, 'worker', openPluginAgent(target, library)));
    if (options.json) print(JSON.stringify({ event: 'started', at: new Date().toISOString(), worker: worker.owner, redis: target.describe, queues: worker.lines }));
    else {
      print(`steward worker ${worker.owner} on ${target.describe}; Ctrl-C stops it gracefully`);
      for (const line of worker.lines) print(`  ${line}`);
    }
    await untilSignalled();
    print(options.json ? JSON.stringify({ event: 'stopping', at: new Date().toISOString() }) : STOPPING);
    await worker.close();
  });

  withQueueOptions(
    program
      .command('start')
      .description(summary('start'))
      .option('--port <port>', 'TCP port of the HTTP API', '7070')
      .option('--bind <address>', 'address to listen on', '127.0.0.1')
      .option('--ingest-port <port>', 'serve the ingest routes (events, Sentry, traffic, GitHub webhook) on this port instead, apart from the plugin API')
      .option('--ingest-bind <address>', 'address of --ingest-port (default: --bind)'),
  ).action(async (options: QueueOptions & ServeOptions, command: Command) => {
    const library = libraryFrom(command);
    const target = await libraryRedis(library);
    const webhook = await githubWebhook(library);
    const service = serviceChecks(library, target);
    const web = openConsole(library, target);
    let serving: Awaited<ReturnType<typeof serveHost>> | undefined;
    let worker: Awaited<ReturnType<typeof startWorker>>;
    try {
      serving = await serveHost(library, target, {
        ...listening(options),
        crashLimit: 3,
        crashWindowMs: 60_000,
        webhook: webhook.options,
        readiness: service.readiness,
        metrics: service.metrics,
        pages: web.routes,
      });
      worker = await startWorker(target, library, workerOptions(options, 'start', openPluginAgent(target, library)));
    } catch (error) {
      await serving?.close();
      await service.close();
      await web.close();
      await webhook.close();
      throw error;
    }
    if (options.json) {
      const ingest = `http://${serving.ingestWhere ?? serving.where}`;
      print(
        JSON.stringify({
          event: 'started',
          at: new Date().toISOString(),
          api: `http://${serving.where}`,
          ingest,
          console: `http://${serving.where}/console`,
          webhook: serving.webhook,
          redis: target.describe,
          plugins: serving.host.list().map((h) => ({ name: h.name, state: h.state })),
          worker: worker.owner,
          queues: worker.lines,
        }),
      );
    } else {
      printServing(library, serving, target.describe);
      print(`  console: http://${serving.where}/console, queues at /queues (sign in with ${library.config.stateDir}/console-token to read, review-token to decide)`);
      print(`worker ${worker.owner}:`);
      for (const line of worker.lines) print(`  ${line}`);
    }
    await untilSignalled();
    print(options.json ? JSON.stringify({ event: 'stopping', at: new Date().toISOString() }) : STOPPING);
    await worker.close();
    await serving.close();
    await service.close();
    await web.close();
    await webhook.close();
  });
}
