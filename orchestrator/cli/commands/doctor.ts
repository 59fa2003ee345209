import type { Command } from 'commander';
import { summary } from '../commands.ts';
import { runDoctor, type DoctorReport } from '../../library/doctor.ts';
import { selectPlugins } from '../../library/library.ts';
import { libraryFrom } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { print, printJson, progress, table } from '../output.ts';

function render(report: DoctorReport): void {
  print(
    table(
      ['PLUGIN', 'STATUS', 'MANIFEST', 'AGENT.md', 'LINKS', 'SUBTREE', 'UNPUSHED', 'REQUIRES'],
      report.plugins.map((row) => [
        row.plugin,
        row.status,
        row.manifest,
        row.agentMd ? 'yes' : 'missing',
        row.links.length === 0 ? '-' : row.links.every((l) => l.state === 'linked') ? 'linked' : row.links.map((l) => l.state).join(','),
        row.subtree.added ? (row.subtree.upstream ? 'yes' : 'no upstream') : 'no',
        row.subtree.unpushed === null ? '-' : String(row.subtree.unpushed),
        row.requirements.length === 0 ? 'ok' : row.requirements.map((r) => `${r.kind}:${r.name}`).join(','),
      ]),
    ),
  );
  const notable = report.plugins.flatMap((row) =>
    row.findings
      .filter((f) => f.severity !== 'info' || row.status !== 'ok')
      .map((f) => `  ${f.severity.padEnd(7)} ${row.plugin}: ${[f.file, f.path].filter(Boolean).join(': ')}${f.file || f.path ? ': ' : ''}${f.message}`),
  );
  if (notable.length > 0) print(`\n${notable.join('\n')}`);
  if (report.environment.length > 0) print(`\n${report.environment.map((f) => `  ${f.severity.padEnd(7)} this machine: ${f.message}`).join('\n')}`);
  const { plugins, ok, warnings, errors } = report.summary;
  print(`\n${plugins} plugin(s): ${ok} ok, ${warnings} with warnings, ${errors} with errors`);
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(summary('doctor'))
    .option('--json', 'machine-readable output (stable: version 1)')
    .option('--strict', 'warnings count as errors for the exit status')
    .option('--plugin <name...>', 'only these plugins')
    .action(async (options: { json?: boolean; strict?: boolean; plugin?: string[] }, command: Command) => {
      const library = libraryFrom(command);
      const bar = progress('doctor');
      const report = await runDoctor(library, { plugins: selectPlugins(library, options.plugin), onProgress: bar.update }).finally(bar.done);
      if (options.json) printJson(report);
      else render(report);
      const failing = report.summary.errors + (options.strict ? report.summary.warnings + report.environment.filter((f) => f.severity === 'warning').length : 0);
      if (failing > 0) process.exitCode = EXIT.findings;
    });
}
