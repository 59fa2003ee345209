import { StateGraph, START, END } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { z } from 'zod';
const S = z.object({ steps: z.array(z.string()).default(() => []) });
const saver = SqliteSaver.fromConnString(':memory:');
const g = new StateGraph(S).addNode('a', (s) => ({ steps: [...s.steps, 'a'] })).addNode('b', (s) => ({ steps: [...s.steps, 'b'] })).addNode('c', (s) => ({ steps: [...s.steps, 'c'] }))
  .addEdge(START, 'a').addEdge('a', 'b').addEdge('b', 'c').addEdge('c', END).compile({ checkpointer: saver });
const cfg = { configurable: { thread_id: 't' } };
await g.invoke({ steps: [] }, cfg);
for await (const t of saver.list(cfg)) console.log(t.metadata?.step, Object.keys(t.checkpoint.channel_values), JSON.stringify(t.checkpoint.channel_versions), JSON.stringify(t.checkpoint.versions_seen));
for await (const h of g.getStateHistory(cfg)) console.log(h.metadata?.step, h.next);
