import { join } from 'node:path';
import { compileJsonSchema } from '../../../orchestrator/core/json-schema.ts';
import { invokeOnce } from '../../../orchestrator/host/invoke-once.ts';
import { loadManifest } from '../../../orchestrator/library/manifest.ts';
import { addFiles, createWorkingCopy } from '../../../orchestrator/sandbox/working-copy.ts';
import { commentOnce } from '../comment.ts';
import type { PluginAgentDeps } from '../deps.ts';
import type { PluginAgentState } from '../state.ts';

/** Inputs tried at most: the distinct captured ones, newest first. */
const MAX_INPUTS = 3;

/**
 * The plugin's declared variables as this machine has them; a secret is replaced by
 * a placeholder, so code that needs it present runs but no secret enters the sandbox.
 */
function sandboxEnv(deps: PluginAgentDeps, manifest: ReturnType<typeof loadManifest>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of manifest.env) {
    const value = deps.env[variable.name];
    if (value !== undefined) env[variable.name] = variable.secret ? `steward-placeholder-${variable.name.toLowerCase()}` : value;
  }
  return env;
}

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
    return { reproduction: { status: 'no-input', sameError: false, tried: ['none: the group\'s events carry no invocation input to replay'] } };
  }
  const dir = join(deps.library.paths.plugins, state.plugin);
  const manifest = loadManifest(dir, `${state.plugin}/plugin.json`);
  const output = compileJsonSchema(manifest.interface.output);
  const tried: string[] = [];
  for (const input of context.inputs.slice(0, MAX_INPUTS)) {
    const request = { op: 'execute' as const, input };
    const copy = createWorkingCopy(dir);
    try {
      addFiles(copy, { [`.steward/repro/${state.group.slice(0, 12)}.json`]: `${JSON.stringify(request, null, 2)}\n` });
      const outcome = await invokeOnce({ manifest, copy, request, env: sandboxEnv(deps, manifest), signal: deps.signal });
      if (deps.signal.aborted) throw new Error('reproduction stopped: the run was stopped');
      deps.emit('sandbox', { step: 'reproduce', ok: outcome.ok, durationMs: outcome.durationMs, ...(outcome.ok ? {} : { kind: outcome.kind, error: outcome.error.type }) });
      if (!outcome.ok) {
        deps.output(`reproduce: ${outcome.kind}: ${outcome.error.type}: ${outcome.error.message}\n${outcome.error.stack ?? ''}`);
        const error = { type: outcome.error.type, message: outcome.error.message.slice(0, 1000) };
        return { reproduction: { status: 'reproduced', request, error, sameError: error.type === context.error.type, tried: [...tried, 'captured input: it fails'] } };
      }
      if (output.ok && !output.validate(outcome.output)) {
        const message = `the output breaks interface.output: ${(output.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ')}`;
        deps.output(`reproduce: ${message}`);
        return { reproduction: { status: 'reproduced', request, error: { type: 'ContractViolation', message }, sameError: false, tried: [...tried, 'captured input: its output breaks the contract'] } };
      }
      tried.push(`captured input ${JSON.stringify(input).slice(0, 120)}: no error, and the output matches interface.output`);
    } finally {
      copy.dispose();
    }
  }
  return { reproduction: { status: 'not-reproduced', sameError: false, tried } };
}
