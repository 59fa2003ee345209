import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { interrupt, StateGraph } from '@langchain/langgraph';
import { END, START } from '@langchain/langgraph';
import { z } from 'zod';
import type { AgentDefinition } from '../../orchestrator/runs/agent.ts';
import { runSandboxed } from '../../orchestrator/sandbox/run.ts';

export interface StandInOptions {
  /** One line per issue "opened": the side effect that must happen once per group. */
  effectsFile: string;
  /** How long the `work` node's sandboxed process runs. */
  workSeconds: number;
  /** Names the sandboxed process (its argv[0]) so a test can find it. */
  marker: string;
  /** Ends at an approval interrupt instead of completing. */
  askApproval?: boolean;
  /** Tokens the `work` node spends. */
  tokens?: number;
}

const state = z.object({
  run: z.string(),
  group: z.string(),
  issue: z.number().optional(),
  worked: z.number().default(0),
  answer: z.unknown().optional(),
});

/**
 * A stand-in for the Plugin Agent with the same interface: it opens an "issue" once
 * (an idempotent effect), works in the sandbox for a while, and may ask for approval.
 */
export function standInAgent(options: StandInOptions): AgentDefinition {
  return {
    name: 'stand-in',
    input: (run) => ({ run: run.id, group: run.group }),
    build(deps, checkpointer) {
      return new StateGraph(state)
        .addNode('open-issue', async (s) => ({
          issue: await deps.once(`issue:${s.group}`, async () => {
            appendFileSync(options.effectsFile, `${s.run}\n`);
            return readFileSync(options.effectsFile, 'utf8').trim().split('\n').length;
          }),
        }))
        .addNode('work', async (s) => {
          const cwd = join(deps.library.paths.state, 'stand-in', s.run);
          if (!existsSync(cwd)) mkdirSync(cwd, { recursive: true });
          const result = await runSandboxed({ argv: ['bash', '-c', `exec -a ${options.marker} sleep ${options.workSeconds}`], cwd, timeoutMs: 120_000, signal: deps.signal });
          deps.emit('sandbox', { status: result.status, durationMs: result.durationMs });
          deps.output(`work: ${result.status}`);
          if (options.tokens) deps.spendTokens(options.tokens);
          if (result.status !== 'ok') throw new Error(`sandbox ${result.status}`);
          return { worked: s.worked + 1 };
        })
        .addNode('propose', (s) => {
          if (!options.askApproval) return {};
          return { answer: interrupt({ kind: 'approval', reason: 'a fix waits for review', nextAction: `approve run ${s.run}` }) };
        })
        .addEdge(START, 'open-issue')
        .addEdge('open-issue', 'work')
        .addEdge('work', 'propose')
        .addEdge('propose', END)
        .compile({ checkpointer });
    },
  };
}
