import { Command, CommanderError } from 'commander';
import { isStewardError } from '../core/errors.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerErrors } from './commands/errors.ts';
import { registerEval } from './commands/eval.ts';
import { registerRedis } from './commands/redis.ts';
import { registerIssues } from './commands/issues.ts';
import { registerReview } from './commands/review.ts';
import { registerRuns } from './commands/runs.ts';
import { registerTriage } from './commands/triage.ts';
import { registerWorker } from './commands/worker.ts';
import { registerHost } from './commands/host.ts';
import { registerInit } from './commands/init.ts';
import { registerPlugin } from './commands/plugin.ts';
import { registerPrune } from './commands/prune.ts';
import { registerSchemas } from './commands/schemas.ts';
import { registerTemplates } from './commands/templates.ts';
import { EXIT } from './exit-codes.ts';

export function buildProgram(): Command {
  const program = new Command('steward')
    .description('Keeps a library of plugins healthy: subtrees, links, doctor, and (later) agents.')
    .option('--library <dir>', 'the library root (default: $STEWARD_LIBRARY, else the nearest ancestor that is one)')
    .showHelpAfterError()
    .exitOverride();
  registerInit(program);
  registerHost(program, registerPlugin(program));
  registerTemplates(program);
  registerDoctor(program);
  registerErrors(program);
  registerRedis(program);
  registerTriage(program);
  registerRuns(program);
  registerIssues(program);
  registerReview(program);
  registerWorker(program);
  registerPrune(program);
  registerSchemas(program);
  registerEval(program);
  registerDemo(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
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

const code = await main(process.argv.slice(2));
process.exitCode = code;
// A command that failed may have opened connections that keep retrying (a Redis client,
// a database pool): the error is reported, so the process ends now rather than hang.
if (code !== EXIT.ok && code !== EXIT.findings) process.exit(code);
