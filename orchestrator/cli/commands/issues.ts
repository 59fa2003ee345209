import type { Command } from 'commander';
import { requirePlugin } from '../../library/library.ts';
import { summary } from '../commands.ts';
import { openTracker } from '../../../agents/trackers/registry.ts';
import { StewardError } from '../../core/errors.ts';
import { libraryFrom } from '../context.ts';
import { print, printJson, table } from '../output.ts';

export function registerIssues(program: Command): void {
  const issues = program.command('issues').description(summary('issues'));
  issues
    .command('list')
    .description('issues, oldest first')
    .option('--state <state>', 'open or closed')
    .option('--plugin <name>', 'only this plugin')
    .option('--json', 'machine-readable output')
    .action(async (options: { state?: string; plugin?: string; json?: boolean }, command: Command) => {
      if (options.state && options.state !== 'open' && options.state !== 'closed') throw new StewardError('E_USAGE', '--state must be open or closed');
      const library = libraryFrom(command);
      if (options.plugin) requirePlugin(library, options.plugin);
      const list = await openTracker(library).listIssues({
        ...(options.state ? { state: options.state as 'open' | 'closed' } : {}),
        ...(options.plugin ? { plugin: options.plugin } : {}),
      });
      if (options.json) return printJson({ version: 1, issues: list });
      print(
        list.length === 0
          ? 'no issues'
          : table(
              ['#', 'STATE', 'PLUGIN', 'LABELS', 'COMMENTS', 'TITLE'],
              list.map((i) => [String(i.number), i.state, i.plugin, i.labels.join(','), String(i.commentCount), i.title.slice(0, 80)]),
            ),
      );
    });
  issues
    .command('show <number>')
    .description('one issue with its body and comments')
    .option('--json', 'machine-readable output')
    .action(async (number: string, options: { json?: boolean }, command: Command) => {
      const library = libraryFrom(command);
      const issue = /^\d+$/.test(number) ? await openTracker(library).getIssue(Number(number)) : undefined;
      if (!issue) throw new StewardError('E_USAGE', `no issue #${number}`, { hint: 'steward issues list' });
      if (options.json) return printJson({ version: 1, issue });
      print(`#${issue.number} ${issue.state}  ${issue.title}`);
      print(`labels: ${issue.labels.join(', ')}; opened ${issue.createdAt}, updated ${issue.updatedAt}\n`);
      print(issue.body);
      for (const c of issue.comments) print(`\n--- ${c.at}\n${c.body}`);
    });
}
