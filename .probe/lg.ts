import { StateGraph, START, END, interrupt, Command, Annotation } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { z } from 'zod';
const S = z.object({ steps: z.array(z.string()).default(() => []), approved: z.boolean().optional() });
const saver = SqliteSaver.fromConnString('/tmp/probe-lg.db');
let crash = true;
const g = new StateGraph(S)
  .addNode('a', (s) => ({ steps: [...s.steps, 'a'] }))
  .addNode('b', async (s, config) => { await new Promise((r, j) => { const t = setTimeout(r, 200); config.signal?.addEventListener('abort', () => { clearTimeout(t); j(new Error('aborted!')); }); }); if (crash) { crash = false; throw new Error('boom'); } return { steps: [...s.steps, 'b'] }; })
  .addNode('c', (s) => { const ok = interrupt({ ask: 'approve?' }); return { steps: [...s.steps, 'c'], approved: ok as boolean }; })
  .addEdge(START, 'a').addEdge('a', 'b').addEdge('b', 'c').addEdge('c', END)
  .compile({ checkpointer: saver });
const cfg = { configurable: { thread_id: 't' + Date.now() } };
try { for await (const chunk of await g.stream({ steps: [] }, { ...cfg, streamMode: ['updates', 'tasks'] as const })) console.log('chunk', JSON.stringify(chunk).slice(0, 200)); } catch (e) { console.log('err', (e as Error).message); }
let st = await g.getState(cfg); console.log('next', st.next, st.values);
for await (const chunk of await g.stream(null, { ...cfg, streamMode: ['updates'] as const })) console.log('chunk2', JSON.stringify(chunk).slice(0, 300));
st = await g.getState(cfg); console.log('next', st.next, st.tasks.map(t => t.interrupts));
const r = await g.invoke(new Command({ resume: true }), cfg); console.log('final', r);
const hist = []; for await (const h of g.getStateHistory(cfg)) hist.push(h);
console.log(hist.map(h => [h.config.configurable?.checkpoint_id, h.next, h.metadata?.step, h.metadata?.source]));
// replay: fork from checkpoint where next = ['b'] into new thread
const at = hist.find(h => h.next[0] === 'b')!;
const ncfg = { configurable: { thread_id: 'n' + Date.now() } };
const upd = await g.updateState(ncfg, at.values, 'a');
console.log('upd', upd.configurable);
st = await g.getState(ncfg); console.log('new next', st.next);
// abort
const ac = new AbortController(); setTimeout(() => ac.abort(), 50);
try { await g.invoke(null, { ...ncfg, signal: ac.signal }); } catch (e) { console.log('abort err', (e as Error).name, (e as Error).message); }
st = await g.getState(ncfg); console.log('after abort next', st.next);
