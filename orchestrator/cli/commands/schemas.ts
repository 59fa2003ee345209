import type { Command } from 'commander';
import { summary } from '../commands.ts';
import { staleSchemas, writeSchemas } from '../schema-files.ts';
import { EXIT } from '../exit-codes.ts';
import { print } from '../output.ts';

export function registerSchemas(program: Command): void {
  const schemas = program.command('schemas').description(summary('schemas'));
  schemas
    .command('write')
    .description("regenerate the JSON Schemas in steward's docs/specs/")
    .action(() => {
      for (const file of writeSchemas()) print(`wrote ${file}`);
    });
  schemas
    .command('check')
    .description('exit 1 when a committed schema differs from what the zod schema generates')
    .action(() => {
      const stale = staleSchemas();
      if (stale.length === 0) return print('schemas are up to date');
      print(`stale: ${stale.join(', ')} (run "npm run schemas")`);
      process.exitCode = EXIT.findings;
    });
}
