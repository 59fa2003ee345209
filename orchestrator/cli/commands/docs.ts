import type { Command } from 'commander';
import { CLI_REFERENCE, cliReferenceIsStale, writeCliReference } from '../cli-reference.ts';
import { summary } from '../commands.ts';
import { EXIT } from '../exit-codes.ts';
import { buildProgram } from '../main.ts';
import { print } from '../output.ts';

export function registerDocs(program: Command): void {
  const docs = program.command('docs').description(summary('docs'));
  docs
    .command('write')
    .description("regenerate steward's docs/cli.md from every command's --help")
    .action(async () => {
      writeCliReference(await buildProgram([], { all: true }));
      print(`wrote ${CLI_REFERENCE}`);
    });
  docs
    .command('check')
    .description("exit 1 when the committed CLI reference differs from the commands' --help")
    .action(async () => {
      if (!cliReferenceIsStale(await buildProgram([], { all: true }))) return print('the CLI reference is up to date');
      print(`stale: ${CLI_REFERENCE} (run "steward docs write")`);
      process.exitCode = EXIT.findings;
    });
}
