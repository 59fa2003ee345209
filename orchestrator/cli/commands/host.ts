import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { summary } from '../commands.ts';
import { messageOf, StewardError } from '../../core/errors.ts';
import { parseJsonText } from '../../core/json.ts';
import { PluginHost } from '../../host/host.ts';
import { serveHost, type ServingHost } from '../../host/serve.ts';
import { libraryRedis } from '../../redis/server.ts';
import { requirePlugin, type Library } from '../../library/library.ts';
import { assertPluginName } from '../../library/names.ts';
import { libraryFrom } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { print, printJson } from '../output.ts';
import { untilSignalled } from '../signals.ts';
import { githubWebhook } from '../github-webhook.ts';

/** The listening options `host` and `start` share. */
export interface ServeOptions {
  port: string;
  bind: string;
  ingestPort?: string;
  ingestBind?: string;
}

/** Where to listen, the ingest routes on their own port when asked. */
export function listening(options: ServeOptions): { port: number; bind: string; ingest?: { port: number; bind: string } } {
  const port = wholeNumber('--port', options.port, 0, 65535);
  if (options.ingestPort === undefined) return { port, bind: options.bind };
  const ingestPort = wholeNumber('--ingest-port', options.ingestPort, 0, 65535);
  if (ingestPort !== 0 && ingestPort === port) throw new StewardError('E_USAGE', `--ingest-port must differ from --port (both ${port})`);
  return { port, bind: options.bind, ingest: { port: ingestPort, bind: options.ingestBind ?? options.bind } };
}

/** What `host` and `start` print once the API listens. */
export function printServing(library: Library, serving: ServingHost, redis: string): void {
  const ingest = serving.ingestWhere ?? serving.where;
  print(`steward host on http://${serving.where}: ${serving.host.list().length} plugin(s); errors go to ${redis}`);
  print(`  plugins: /v1/plugins/* (token: $STEWARD_HOST_TOKEN or ${library.config.stateDir}/host-token)`);
  print(`  health: GET /healthz, GET /readyz, GET /metrics (Prometheus)`);
  print(
    `  ingest${serving.ingestWhere ? ` on http://${ingest}, apart from the plugin API` : ''}: POST /v1/events, POST /v1/traffic (token: $STEWARD_INGEST_TOKEN or ${library.config.stateDir}/ingest-token); Sentry DSN http://<token>@${ingest}/1`,
  );
  if (library.config.tracker === 'github') print(`  github webhook: POST /v1/github/webhook (${serving.webhook})`);
  for (const h of serving.host.list()) print(`  ${h.name.padEnd(24)} ${h.state}${h.reason ? `  (${h.reason})` : ''}`);
}

export function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new StewardError('E_USAGE', `${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

/** `--input '{"a":1}'` or `--input @file.json`. */
function readInput(value: string): unknown {
  if (value.startsWith('@')) {
    const file = resolve(value.slice(1));
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new StewardError('E_USAGE', `cannot read --input file: ${messageOf(error)}`, { file });
    }
    return parseJsonText(text, file);
  }
  return parseJsonText(value, '--input');
}

async function oneShot(command: Command, name: string, op: 'execute' | 'help', input: unknown, json: boolean): Promise<void> {
  assertPluginName(name);
  const library = libraryFrom(command);
  requirePlugin(library, name);
  const host = new PluginHost({ library });
  host.load([name]);
  try {
    const outcome = await host.invoke(name, input, op);
    if (!outcome) throw new StewardError('E_PLUGIN_UNKNOWN', `no plugin "${name}"`);
    if (json) printJson(outcome);
    else if (outcome.ok) print(typeof outcome.output === 'string' ? outcome.output : JSON.stringify(outcome.output, null, 2));
    else process.stderr.write(`${name}: ${outcome.kind}: ${outcome.error.type}: ${outcome.error.message}\n`);
    if (!outcome.ok) process.exitCode = EXIT.findings;
  } finally {
    await host.close();
  }
}

export function registerHost(program: Command, plugin: Command): void {
  program
    .command('host')
    .description(summary('host'))
    .option('--port <port>', 'TCP port', '7070')
    .option('--bind <address>', 'address to listen on', '127.0.0.1')
    .option('--ingest-port <port>', 'serve the ingest routes (events, Sentry, traffic, GitHub webhook) on this port instead, apart from the plugin API')
    .option('--ingest-bind <address>', 'address of --ingest-port (default: --bind)')
    .option('--crash-limit <n>', 'crashes or timeouts within the window that make a plugin FAILED', '3')
    .option('--crash-window <seconds>', 'the window of --crash-limit', '60')
    .action(async (options: ServeOptions & { crashLimit: string; crashWindow: string }, command: Command) => {
      const where = listening(options);
      const library = libraryFrom(command);
      const target = await libraryRedis(library);
      const webhook = await githubWebhook(library);
      const serving = await serveHost(library, target, {
        ...where,
        crashLimit: wholeNumber('--crash-limit', options.crashLimit, 1, 1_000_000),
        crashWindowMs: wholeNumber('--crash-window', options.crashWindow, 1, 86_400) * 1000,
        webhook: webhook.options,
      }).catch(async (error: unknown) => {
        await webhook.close();
        throw error;
      });
      printServing(library, serving, target.describe);
      await untilSignalled();
      await serving.close();
      await webhook.close();
    });

  plugin
    .command('run <name>')
    .description('call a plugin once through the host (sandboxed), with --input JSON or @file')
    .requiredOption('--input <json>', 'the input: JSON text, or @path/to/file.json')
    .option('--json', 'print the whole outcome as JSON')
    .action(async (name: string, options: { input: string; json?: boolean }, command: Command) => {
      await oneShot(command, name, 'execute', readInput(options.input), options.json === true);
    });

  plugin
    .command('help <name>')
    .description("print a plugin's own help (its help() or the process protocol's help)")
    .option('--json', 'print the whole outcome as JSON')
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      await oneShot(command, name, 'help', undefined, options.json === true);
    });
}
