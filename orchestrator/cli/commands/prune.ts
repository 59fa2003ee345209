import type { Command } from 'commander';
import { summary } from '../commands.ts';
import { pruneLibrary } from '../../maintenance/open.ts';
import { libraryRedis } from '../../redis/server.ts';
import { libraryFrom } from '../context.ts';
import { print, printJson } from '../output.ts';

export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description(summary('prune'))
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }, command: Command) => {
      const library = libraryFrom(command);
      const report = await pruneLibrary(library, await libraryRedis(library));
      if (options.json) return printJson({ version: 1, ...report });
      const { retention } = library.config;
      print(`dead letters: ${report.deadLetters} deleted (older than ${retention.deadLetterDays} days)`);
      print(`resolved groups: ${report.groups} deleted (no event for ${retention.resolvedGroupDays} days)`);
      print(
        `finished runs: ${report.runs} deleted with ${report.runEvents} event(s) and their checkpoints (ended over ${retention.finishedRunDays} days ago); ${report.heldBack} held-back record(s)`,
      );
    });
}
