import type { Command } from 'commander';
import semver from 'semver';
import { summary } from '../commands.ts';
import { StewardError } from '../../core/errors.ts';
import { TrafficStore, type TrafficSample, type TrafficVersion } from '../../ingest/traffic.ts';
import { listPluginNames, type Library } from '../../library/library.ts';
import { assertPluginName } from '../../library/names.ts';
import { connect } from '../../redis/connection.ts';
import { libraryRedis } from '../../redis/server.ts';
import { libraryFrom } from '../context.ts';
import { print, printJson, table } from '../output.ts';

async function openTraffic(library: Library): Promise<{ store: TrafficStore; close: () => void }> {
  const redis = connect(await libraryRedis(library), 'cli');
  return { store: new TrafficStore(redis, library.config.traffic), close: () => redis.disconnect() };
}

/**
 * A plugin of the library, or one that is gone from it but still has traffic kept (so
 * that it can be shown and cleared); anything else is unknown.
 */
async function requireKnown(library: Library, store: TrafficStore, name: string): Promise<TrafficVersion[]> {
  assertPluginName(name);
  const versions = await store.versions(name);
  if (versions.length === 0 && !listPluginNames(library).includes(name)) {
    throw new StewardError('E_PLUGIN_UNKNOWN', `no plugin "${name}" in the library, and no traffic kept of one`);
  }
  return versions;
}

export function registerTraffic(program: Command): void {
  const traffic = program.command('traffic').description(summary('traffic'));

  traffic
    .command('show <plugin>')
    .description("the calls kept of a plugin's production traffic: per version, kept and seen; --json adds the samples")
    .option('--version <version>', 'only this version of the plugin')
    .option('--json', 'machine-readable output, with the samples')
    .action(async (plugin: string, options: { version?: string; json?: boolean }, command: Command) => {
      if (options.version !== undefined && semver.valid(options.version) === null) {
        throw new StewardError('E_USAGE', `--version must be a semver version such as 1.4.2, got "${options.version}"`);
      }
      const library = libraryFrom(command);
      const { store, close } = await openTraffic(library);
      try {
        const all = await requireKnown(library, store, plugin);
        const versions = options.version === undefined ? all : all.filter((v) => v.version === options.version);
        if (options.json) {
          const withSamples: (TrafficVersion & { samples: TrafficSample[] })[] = [];
          for (const v of versions) withSamples.push({ ...v, samples: await store.list(plugin, v.version) });
          return printJson({ version: 1, plugin, versions: withSamples });
        }
        if (versions.length === 0) return print(`no traffic kept of ${plugin}${options.version ? ` ${options.version}` : ''}`);
        print(
          table(
            ['VERSION', 'KEPT', 'SEEN'],
            versions.map((v) => [v.version, String(v.kept), String(v.seen)]),
          ),
        );
        print(`\n${versions.reduce((sum, v) => sum + v.kept, 0)} sample(s) kept (scrubbed); --json shows them`);
      } finally {
        close();
      }
    });

  traffic
    .command('clear [plugin]')
    .description('delete the traffic kept of one plugin (every version), or of every plugin')
    .option('--json', 'machine-readable output')
    .action(async (plugin: string | undefined, options: { json?: boolean }, command: Command) => {
      const library = libraryFrom(command);
      const { store, close } = await openTraffic(library);
      try {
        if (plugin !== undefined) await requireKnown(library, store, plugin);
        const removed = await store.clear(plugin);
        if (options.json) return printJson({ version: 1, plugin: plugin ?? null, removedKeys: removed });
        print(`cleared the traffic of ${plugin ?? 'every plugin'}: ${removed} key(s) deleted`);
      } finally {
        close();
      }
    });
}
