import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { isStewardError } from '../core/errors.ts';
import { STEWARD_ROOT } from '../core/steward-root.ts';
import { COMMANDS, summary } from './commands.ts';
import { EXIT } from './exit-codes.ts';

/** Where the command word is: the first word that is not a global option (or its value). */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--library') i++;
    else if (!word.startsWith('-')) return i;
  }
  return -1;
}

/** The command a command line names. */
function commandName(argv: readonly string[]): string | undefined {
  const at = commandIndex(argv);
  if (at < 0) return undefined;
  const word = argv[at] ?? '';
  return word === 'help' ? (argv[at + 1] ?? 'help') : word;
}

/**
 * `--version <v>` after the command word is the command's own (`traffic show p --version
 * 1.2.0`). Commander takes the program's `-V, --version` anywhere on the line, so it is
 * handed over as `--version=<v>`, which only an option that takes a value matches.
 */
function commandVersionOption(argv: readonly string[]): string[] {
  const at = commandIndex(argv);
  const out = [...argv];
  if (at < 0) return out;
  for (let i = at + 1; i < out.length - 1; i++) {
    if (out[i] === '--') break;
    const value = out[i + 1] ?? '';
    if (out[i] === '--version' && !value.startsWith('-')) out.splice(i, 2, `--version=${value}`);
  }
  return out;
}

function version(): string {
  return (JSON.parse(readFileSync(join(STEWARD_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The program with every command listed, and only the one the command line names
 * loaded (`all` loads them all): what a command does is imported when it runs.
 */
export async function buildProgram(argv: readonly string[] = [], options: { all?: boolean } = {}): Promise<Command> {
  const program = new Command('steward')
    .description('Keeps a library of plugins healthy: subtrees, links, doctor, and agents that turn production errors into issues and reviewed fixes.')
    .version(version(), '-V, --version', 'print the version')
    .option('--library <dir>', 'the library root (default: $STEWARD_LIBRARY, else the nearest ancestor that is one)')
    // A usage mistake is one line, as every other error: the usage text is --help's.
    .configureOutput({ outputError: (text, write) => write(`steward: error E_USAGE: ${text.replace(/^error: /, '').trim()} (see --help)\n`) })
    .exitOverride();
  const wanted = commandName(argv);
  for (const entry of COMMANDS) {
    if (options.all || (wanted !== undefined && entry.names.includes(wanted))) (await entry.load())(program);
    else for (const name of entry.names) program.command(name).description(summary(name)).allowUnknownOption().allowExcessArguments();
  }
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(commandVersionOption(argv), { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, successfully.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    // Libraries that run our code (LangGraph nodes) may wrap what it threw.
    const cause = isStewardError(error) ? error : (error as { cause?: unknown } | undefined)?.cause;
    if (isStewardError(cause)) {
      process.stderr.write(`steward: error ${cause.code}: ${cause.format()}\n`);
      return cause.exitCode;
    }
    process.stderr.write(`steward: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.internal;
  }
}

/** The `steward` process: runs the command line and ends with its status. */
export async function run(argv: string[]): Promise<void> {
  // A reader that stopped (`steward runs list | head`) is not a failure: the command ends quietly.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(EXIT.ok);
      throw error;
    });
  const code = await main(argv);
  process.exitCode = code;
  // A command that failed may have opened connections that keep retrying (a Redis client,
  // a database pool): the error is reported, so the process ends now rather than hang.
  if (code !== EXIT.ok && code !== EXIT.findings) process.exit(code);
}
