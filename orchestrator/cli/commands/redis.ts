import type { Command } from 'commander';
import { summary } from '../commands.ts';
import { libraryRedis, redisStatus, stopRedis } from '../../redis/server.ts';
import { libraryFrom } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { print, printJson } from '../output.ts';

export function registerRedis(program: Command): void {
  const redis = program.command('redis').description(summary('redis'));
  redis
    .command('start')
    .description('start it (or find it running) under the state dir')
    .action(async (_o: unknown, command: Command) => {
      const target = await libraryRedis(libraryFrom(command));
      print(`redis: ${target.describe}`);
    });
  redis
    .command('stop')
    .description('stop it, writing the AOF out first')
    .action(async (_o: unknown, command: Command) => {
      if (process.env.REDIS_URL) return print('REDIS_URL is set: steward never stops a server it did not start');
      print((await stopRedis(libraryFrom(command).paths.state)) ? 'redis: stopped' : 'redis: was not running');
    });
  redis
    .command('status')
    .description('is it running, and where (exit 1 when not)')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }, command: Command) => {
      const status = await redisStatus(libraryFrom(command).paths.state);
      if (options.json) printJson({ version: 1, ...status });
      else print(`redis: ${status.running ? 'running' : 'not running'} at ${status.describe}${status.pid ? ` (pid ${status.pid})` : ''}`);
      if (!status.running) process.exitCode = EXIT.findings;
    });
}
