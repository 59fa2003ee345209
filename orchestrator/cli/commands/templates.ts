import type { Command } from 'commander';
import { summary } from '../commands.ts';
import { selectPlugins } from '../../library/library.ts';
import { checkLinks, linkTemplates, type LinkStatus } from '../../library/links.ts';
import { libraryFrom } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { print, printJson, table } from '../output.ts';

function report(statuses: readonly LinkStatus[], json: boolean): void {
  const counts = { linked: 0, missing: 0, broken: 0, overridden: 0 };
  for (const s of statuses) counts[s.state]++;
  if (json) {
    printJson({ version: 1, summary: counts, links: statuses });
  } else {
    const shown = statuses.filter((s) => s.state !== 'linked');
    if (shown.length > 0)
      print(
        table(
          ['PLUGIN', 'FILE', 'STATE', 'DETAIL'],
          shown.map((s) => [s.plugin, s.file, s.state, s.detail ?? '']),
        ),
      );
    print(`${counts.linked} linked, ${counts.missing} missing, ${counts.broken} broken, ${counts.overridden} overridden`);
  }
  if (counts.missing + counts.broken > 0) process.exitCode = EXIT.findings;
}

export function registerTemplates(program: Command): void {
  const templates = program.command('templates').description(summary('templates'));
  templates
    .command('link')
    .description("link every file of templates/linked/ into each plugin's .steward/ (relative symlinks)")
    .option('--check', 'only report each link as linked, missing, broken or overridden')
    .option('--json', 'machine-readable output')
    .option('--plugin <name...>', 'only these plugins')
    .action((options: { check?: boolean; json?: boolean; plugin?: string[] }, command: Command) => {
      const library = libraryFrom(command);
      const plugins = selectPlugins(library, options.plugin);
      const statuses = options.check ? checkLinks(library, plugins) : linkTemplates(library, plugins);
      report(statuses, options.json === true);
    });
}
