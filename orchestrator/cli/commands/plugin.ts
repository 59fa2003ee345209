import { relative } from 'node:path';
import type { Command } from 'commander';
import { summary } from '../commands.ts';
import { loadPluginContext } from '../../library/context.ts';
import { listPluginNames, pluginDir, pluginPrefix } from '../../library/library.ts';
import { checkManifest } from '../../library/manifest.ts';
import { assertPluginName } from '../../library/names.ts';
import { scaffoldPlugin } from '../../library/scaffold.ts';
import { addPlugin } from '../../library/subtree/add.ts';
import { pullPlugin } from '../../library/subtree/pull.ts';
import { pushPlugin } from '../../library/subtree/push.ts';
import { libraryFrom } from '../context.ts';
import { print, printJson, progress, table } from '../output.ts';

export function registerPlugin(program: Command): Command {
  const plugin = program.command('plugin').description(summary('plugin'));

  plugin
    .command('add <name>')
    .description('add a plugin as a git subtree of its upstream (full history, merge commit)')
    .requiredOption('--from <url>', 'the upstream repository (URL or local path)')
    .option('--ref <branch>', "upstream branch (default: the upstream's default branch)")
    .action(async (name: string, options: { from: string; ref?: string }, command: Command) => {
      assertPluginName(name);
      const result = await addPlugin(libraryFrom(command), name, options.ref ? { from: options.from, ref: options.ref } : { from: options.from });
      print(`added ${result.prefix}/ from ${result.url} (${result.branch} at ${result.upstreamCommit.slice(0, 12)})`);
    });

  plugin
    .command('pull <name>')
    .description("merge the upstream's new commits into the plugin (a merge commit, never a squash)")
    .action(async (name: string, _options: unknown, command: Command) => {
      assertPluginName(name);
      const result = await pullPlugin(libraryFrom(command), name);
      print(
        result.changed ? `pulled ${name} from ${result.url} (${result.branch}): now at ${result.head.slice(0, 12)}` : `${name} is up to date with ${result.url} (${result.branch})`,
      );
    });

  plugin
    .command('push <name>')
    .description("push the library's commits to the plugin's upstream (incremental split)")
    .action(async (name: string, _options: unknown, command: Command) => {
      assertPluginName(name);
      const bar = progress(`splitting ${name}`);
      const result = await pushPlugin(libraryFrom(command), name, bar.update).finally(bar.done);
      print(`pushed ${name} to ${result.url} (${result.branch}) at ${result.splitCommit.slice(0, 12)}; walked ${result.walked} commit(s), wrote ${result.created}`);
    });

  plugin
    .command('new <name>')
    .description('scaffold a new plugin from templates/scaffold/')
    .option('--description <text>', 'one-line description')
    .option('--owner <owner...>', 'who reviews its fixes')
    .option('--upstream <url>', 'upstream repository to push to')
    .option('--branch <branch>', 'upstream branch', 'main')
    .action((name: string, options: { description?: string; owner?: string[]; upstream?: string; branch: string }, command: Command) => {
      assertPluginName(name);
      const library = libraryFrom(command);
      const dir = scaffoldPlugin(library, name, {
        ...(options.description ? { description: options.description } : {}),
        ...(options.owner ? { owners: options.owner } : {}),
        ...(options.upstream ? { upstream: { url: options.upstream, branch: options.branch } } : {}),
      });
      print(`created ${relative(library.root, dir)}/: edit AGENT.md and src/, run its tests, then commit`);
    });

  plugin
    .command('list')
    .description('list the plugins with version, runtime and upstream')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }, command: Command) => {
      const library = libraryFrom(command);
      const rows = listPluginNames(library).map((name) => {
        const { manifest, problems } = checkManifest(pluginDir(library, name), name);
        return {
          name,
          path: pluginPrefix(library, name),
          valid: problems.length === 0,
          version: manifest?.version ?? null,
          runtime: manifest?.runtime ?? null,
          description: manifest?.description ?? null,
          upstream: manifest?.upstream ?? null,
          owners: manifest?.owners ?? [],
        };
      });
      if (options.json) return printJson({ version: 1, plugins: rows });
      if (rows.length === 0) return print('no plugins');
      print(
        table(
          ['NAME', 'VERSION', 'RUNTIME', 'UPSTREAM', 'DESCRIPTION'],
          rows.map((r) => [
            r.name + (r.valid ? '' : ' (invalid manifest)'),
            r.version ?? '-',
            r.runtime ?? '-',
            r.upstream ? `${r.upstream.url}#${r.upstream.branch}` : '-',
            r.description ?? '-',
          ]),
        ),
      );
    });

  plugin
    .command('context <name>')
    .description("what the plugin's agent reads: manifest, AGENT.md, playbook, history, source index")
    .option('--json', 'machine-readable output')
    .action((name: string, options: { json?: boolean }, command: Command) => {
      assertPluginName(name);
      const context = loadPluginContext(libraryFrom(command), name);
      if (options.json) return printJson({ version: 1, ...context });
      print(`${context.name} ${context.manifest.version} (${context.manifest.runtime}) at ${context.prefix}/`);
      print(`playbook: ${context.playbook.file} (${context.playbook.source}), ${context.playbook.text.length} chars`);
      print(`AGENT.md: ${context.agentMd.length} chars`);
      print(`history: ${context.history.length} entries${context.historySkipped.length ? `, ${context.historySkipped.length} unreadable line(s)` : ''}`);
      for (const entry of context.history) print(`  ${entry.at}  ${entry.type.padEnd(8)} ${entry.summary}`);
      print(`sources: ${context.sources.length} files`);
      print(
        table(
          ['PATH', 'LANGUAGE', 'LINES', 'BYTES'],
          context.sources.map((s) => [s.path, s.language, String(s.lines), String(s.bytes)]),
        ),
      );
    });
  return plugin;
}
