// A worker process with the stand-in agent: `node --import tsx stand-in-worker.ts <library> <options-json>`.
import { createLogger } from '../../orchestrator/core/logger.ts';
import { openLibrary } from '../../orchestrator/library/library.ts';
import { libraryRedis } from '../../orchestrator/redis/server.ts';
import { startWorker } from '../../orchestrator/cli/worker-process.ts';
import { standInAgent, type StandInOptions } from './stand-in-agent.ts';

const [root, json] = process.argv.slice(2);
const library = openLibrary({ library: root ?? '.' });
const target = await libraryRedis(library);
const worker = await startWorker(target, library, {
  ingest: false,
  triage: false,
  schedule: false,
  runTests: false,
  agent: standInAgent(JSON.parse(json ?? '{}') as StandInOptions),
  log: createLogger({ component: 'stand-in-worker' }),
});
process.stdout.write(`ready ${worker.owner}\n`);
process.once('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
