import { messageOf } from '../../../orchestrator/core/errors.ts';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AIMessage } from '@langchain/core/messages';
import { HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { Candidate, FixRequest, Fixer } from '../types.ts';
import { Workspace } from '../workspace.ts';
import { buildPrompt } from './prompt.ts';
import { fixerTools } from './tools.ts';

const DEFAULTS = { iterations: 12, tokens: 60_000, wallSeconds: 300 };

/**
 * A tool-calling loop over any LangChain chat model: the model reads, searches and
 * edits a working copy and runs the reproduction and the tests, within a budget of
 * iterations, tokens and wall time. What it leaves changed is one candidate; the
 * agent's `validate` decides whether it counts, never the model's own word.
 */
export class LlmFixer implements Fixer {
  readonly name = 'llm';

  constructor(private readonly model: () => Promise<BaseChatModel>) {}

  async propose(request: FixRequest): Promise<Candidate[]> {
    const budget = { ...DEFAULTS, ...Object.fromEntries(Object.entries(request.budget).filter(([, v]) => v !== undefined)) };
    const ws = new Workspace(request.dir, request.manifest.limits?.diskMb);
    try {
      const done: { rationale?: string; files: Record<string, string> } = { files: {} };
      const tools = fixerTools(ws, request, done);
      // One call shape for every tool: the model's arguments are checked by each tool's own schema.
      const byName = new Map<string, { invoke(args: unknown): Promise<unknown> }>(tools.map((t) => [t.name, t as unknown as { invoke(args: unknown): Promise<unknown> }]));
      const model = await this.model();
      if (!model.bindTools) throw new Error('the configured model cannot call tools');
      const bound = model.bindTools(tools);
      const { system, user } = buildPrompt(request);
      const messages: BaseMessage[] = [new SystemMessage(system), new HumanMessage(user)];
      const deadline = Date.now() + budget.wallSeconds * 1000;
      let tokens = 0;
      let stop = 'the model stopped calling tools';
      for (let iteration = 1; ; iteration++) {
        if (iteration > budget.iterations) {
          stop = `iteration budget (${budget.iterations}) spent`;
          break;
        }
        if (Date.now() > deadline) {
          stop = `wall-time budget (${budget.wallSeconds} s) spent`;
          break;
        }
        const reply = (await bound.invoke(messages, { signal: request.signal })) as AIMessage;
        const used = reply.usage_metadata?.total_tokens ?? 0;
        tokens += used;
        if (used > 0) request.spendTokens(used);
        messages.push(reply);
        const calls = reply.tool_calls ?? [];
        request.emit('model-turn', { iteration, toolCalls: calls.map((c) => c.name), tokens: used });
        if (calls.length === 0) break;
        for (const call of calls) {
          const chosen = byName.get(call.name);
          const answer = chosen ? String(await chosen.invoke(call.args).catch((error: unknown) => `error: ${messageOf(error)}`)) : `error: no tool "${call.name}"`;
          messages.push(new ToolMessage({ content: answer, tool_call_id: call.id ?? call.name }));
        }
        if (done.rationale !== undefined) {
          stop = 'the model finished';
          break;
        }
        if (tokens > budget.tokens) {
          stop = `token budget (${budget.tokens}) spent`;
          break;
        }
      }
      const files = done.files;
      request.emit('fixer-stopped', { fixer: this.name, why: stop, changedFiles: Object.keys(files) });
      if (Object.keys(files).length === 0) return [];
      return [{ fixer: this.name, files, rationale: done.rationale ?? `the model's change (no rationale given: ${stop})` }];
    } finally {
      ws.dispose();
    }
  }
}
