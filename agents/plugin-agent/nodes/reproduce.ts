import { addFiles, createWorkingCopy } from '../../../orchestrator/sandbox/working-copy.ts';
import { checkCall, pluginUnderFix, type CallCheck } from '../checks.ts';
import { commentOnce } from '../comment.ts';
import type { PluginAgentDeps } from '../deps.ts';
import type { PluginAgentState } from '../state.ts';

/** Inputs tried at most: the distinct captured ones, newest first. */
const MAX_INPUTS = 3;

/**
 * Writes the reproduction (the captured call, as the process protocol's request)
 * into a fresh working copy and runs it in the sandbox: it must fail on the original
 * code, by throwing or by an output that breaks `interface.output`.
 */
export function reproduce(deps: PluginAgentDeps) {
  return async (state: PluginAgentState): Promise<Partial<PluginAgentState>> => {
    const result = await attempt(deps, state);
    await commentOnce(deps, state, 'reproduce', describeReproduction(result.reproduction));
    return result;
  };
}

function describeReproduction(r: NonNullable<PluginAgentState['reproduction']>): string {
  if (r.status === 'reproduced') {
    return `**Reproduced** in the sandbox with the captured input: \`${r.error?.type}\`: ${r.error?.message ?? ''}${r.sameError ? ' (the same error type as in production)' : ' (not the production error type)'}.`;
  }
  return `**Not reproduced.** Tried:\n${r.tried.map((t) => `- ${t}`).join('\n')}\n\nNo fix is proposed without a failing reproduction.`;
}

async function attempt(deps: PluginAgentDeps, state: PluginAgentState): Promise<Partial<PluginAgentState> & { reproduction: NonNullable<PluginAgentState['reproduction']> }> {
  const context = state.context;
  if (!context) throw new Error('reproduce before load-context');
  if (context.inputs.length === 0) {
    return { reproduction: { status: 'no-input', sameError: false, tried: ["none: the group's events carry no invocation input to replay"] } };
  }
  const { dir, manifest, env } = pluginUnderFix(deps.library, state.plugin, deps.env);
  const tried: string[] = [];
  type Reproduction = NonNullable<PluginAgentState['reproduction']>;
  // A failure of another kind than production's is kept only if no input gives the same one.
  let other: Reproduction | undefined;
  for (const input of context.inputs.slice(0, MAX_INPUTS)) {
    const request = { op: 'execute' as const, input };
    const copy = createWorkingCopy(dir, { quotaMb: manifest.limits.diskMb });
    try {
      addFiles(copy, { [`.steward/repro/${state.group.slice(0, 12)}.json`]: `${JSON.stringify(request, null, 2)}\n` });
      const run = async (): Promise<CallCheck> => {
        const check = await checkCall(manifest, copy, request, env, deps.signal);
        deps.emit('sandbox', { step: 'reproduce', ok: check.ok, durationMs: check.durationMs, ...(check.ok ? {} : { kind: check.kind, error: check.error.type }) });
        // A sandbox that could not start reproduces nothing: the run fails, and says why.
        if (!check.ok && check.error.type === 'SpawnError') throw new Error(`the sandbox could not run the reproduction: ${check.error.message}`);
        return check;
      };
      let check = await run();
      // A timeout on a busy machine is not a defect until it happens twice.
      if (!check.ok && check.kind === 'timeout') {
        tried.push(`captured input ${JSON.stringify(input).slice(0, 120)}: timed out once; run again`);
        check = await run();
      }
      if (!check.ok) {
        deps.output(`reproduce: ${check.kind}: ${check.error.type}: ${check.error.message}\n${check.error.stack ?? ''}`);
        const error = { type: check.error.type, message: check.error.message.slice(0, 1000) };
        const how = check.kind === 'contract' ? 'captured input: its output breaks the contract' : `captured input: it fails with ${error.type}`;
        const found: Reproduction = { status: 'reproduced', request, error, sameError: error.type === context.error.type, tried: [...tried, how] };
        if (found.sameError) return { reproduction: found };
        other ??= found;
        tried.push(how);
        continue;
      }
      tried.push(`captured input ${JSON.stringify(input).slice(0, 120)}: no error, and the output matches interface.output`);
    } finally {
      copy.dispose();
    }
  }
  if (other) return { reproduction: other };
  return { reproduction: { status: 'not-reproduced', sameError: false, tried } };
}
