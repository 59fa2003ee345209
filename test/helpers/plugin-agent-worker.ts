// A worker process with the Plugin Agent and a scripted model:
// `node --import tsx plugin-agent-worker.ts <library> <tool-calls-json>`, one array of tool calls per model turn.
import { fakeModel } from '@langchain/core/testing';
import { pluginAgent } from '../../agents/plugin-agent/agent.ts';
import { LlmFixer } from '../../agents/fixers/llm/index.ts';
import { openTracker } from '../../agents/trackers/registry.ts';
import { createLogger } from '../../orchestrator/core/logger.ts';
import { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { openLibrary } from '../../orchestrator/library/library.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { libraryRedis } from '../../orchestrator/redis/server.ts';
import { startWorker } from '../../orchestrator/cli/worker-process.ts';

const [root, json] = process.argv.slice(2);
const library = openLibrary({ library: root ?? '.' });
const target = await libraryRedis(library);
const model = fakeModel();
for (const turn of JSON.parse(json ?? '[]') as { name: string; args: Record<string, unknown> }[][]) model.respondWithTools(turn);
const redis = connect(target, 'test-plugin-agent');
const agent = pluginAgent({ groups: new GroupStore(redis), tracker: openTracker(library), fixers: [new LlmFixer(async () => model)], close: async () => void redis.disconnect() });
const worker = await startWorker(target, library, {
  ingest: false,
  triage: false,
  schedule: false,
  runTests: false,
  agent,
  log: createLogger({ component: 'plugin-agent-worker' }),
});
process.stdout.write(`ready ${worker.owner}\n`);
process.once('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
