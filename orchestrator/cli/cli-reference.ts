import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../core/files.ts';
import { STEWARD_ROOT } from '../core/steward-root.ts';
import { EXIT } from './exit-codes.ts';

export const CLI_REFERENCE = join(STEWARD_ROOT, 'docs', 'cli.md');

const EXIT_MEANINGS: Record<keyof typeof EXIT, string> = {
  ok: 'done; nothing wrong found',
  findings: 'the command ran and found problems (doctor errors, stale schemas, a comparison where B is significantly worse, …)',
  badInput: 'bad input or a refused operation: one message on stderr, `steward: error <CODE>: <where>: <what>`, and nothing was changed',
  partial: 'part of the work was done and part not; the message says exactly which part',
  internal: 'a bug in steward; the stack goes to stderr',
};

function walk(command: Command, path: string[], out: string[]): void {
  const name = [...path, command.name()].join(' ');
  // A fixed width: the page reads the same whatever terminal wrote it.
  command.configureHelp({ helpWidth: 100 });
  out.push(`## \`${name}\``, '', '```text', command.helpInformation().trimEnd(), '```', '');
  for (const sub of command.commands) if (sub.name() !== 'help') walk(sub, [...path, command.name()], out);
}

/** docs/cli.md: every command's --help, in order, generated so it never disagrees with the CLI. */
function renderCliReference(program: Command): string {
  const out = [
    '# Command-line reference',
    '',
    "Generated from `steward --help` and each command's `--help` by `steward docs write`; do not edit by hand.",
    '',
    '## Exit statuses',
    '',
    '| status | meaning |',
    '| --- | --- |',
    ...(Object.keys(EXIT) as (keyof typeof EXIT)[]).map((key) => `| ${EXIT[key]} | ${EXIT_MEANINGS[key]} |`),
    '| 130 | `eval run` or `ab` stopped by Ctrl-C or SIGTERM; the same command resumes it |',
    '',
  ];
  walk(program, [], out);
  return `${out.join('\n').trimEnd()}\n`;
}

export function cliReferenceIsStale(program: Command): boolean {
  return !existsSync(CLI_REFERENCE) || readFileSync(CLI_REFERENCE, 'utf8') !== renderCliReference(program);
}

export function writeCliReference(program: Command): void {
  writeFileAtomic(CLI_REFERENCE, renderCliReference(program));
}
