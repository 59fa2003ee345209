import { compileJsonSchema, schemaErrors } from '../../orchestrator/core/json-schema.ts';
import { buildErrorEvent } from '../../orchestrator/host/events.ts';
import { invokeOnce } from '../../orchestrator/host/invoke-once.ts';
import type { Outcome } from '../../orchestrator/host/types.ts';
import type { ErrorEvent } from '../../orchestrator/ingest/event.ts';
import type { Manifest } from '../../orchestrator/library/manifest.ts';
import { createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';

export interface Invocation {
  input: unknown;
  outcome: Outcome;
  /** The error event the host would have captured, when the call failed. */
  event?: ErrorEvent;
}

/** interface.input and interface.output as the host checks them around every call. */
function contract(manifest: Manifest): { input: (value: unknown) => Outcome | undefined; output: (outcome: Outcome) => Outcome } {
  const input = compileJsonSchema(manifest.interface.input);
  const output = compileJsonSchema(manifest.interface.output);
  return {
    input: (value) =>
      input.ok && !input.validate(value) ? { ok: false, kind: 'invalid-input', error: { type: 'InputSchemaViolation', message: `input does not match interface.input: ${schemaErrors(input.validate)}` }, durationMs: 0 } : undefined,
    output: (outcome) =>
      outcome.ok && output.ok && !output.validate(outcome.output)
        ? { ok: false, kind: 'invalid-output', error: { type: 'OutputSchemaViolation', message: `output does not match interface.output: ${schemaErrors(output.validate)}` }, durationMs: outcome.durationMs }
        : outcome,
  };
}

/**
 * Calls the plugin once per input in the sandbox, as the host does in production (the
 * input and the output checked against the interface), and builds the error event the
 * host's capture would send for each failure.
 */
export async function invokeAll(pluginDir: string, manifest: Manifest, inputs: readonly unknown[], env: Record<string, string>): Promise<Invocation[]> {
  const copy = createWorkingCopy(pluginDir);
  const declared = Object.fromEntries(manifest.env.filter((v) => env[v.name] !== undefined).map((v) => [v.name, env[v.name] ?? '']));
  const secrets = manifest.env.filter((v) => v.secret && env[v.name]).map((v) => env[v.name] ?? '');
  try {
    const out: Invocation[] = [];
    const checks = contract(manifest);
    for (const input of inputs) {
      const outcome = checks.input(input) ?? checks.output(await invokeOnce({ manifest, copy, request: { op: 'execute', input }, env: declared }));
      if (outcome.ok || outcome.kind === 'not-runnable') {
        out.push({ input, outcome });
        continue;
      }
      const event = buildErrorEvent({ manifest, kind: outcome.kind, error: outcome.error, operation: 'execute', invocationInput: input, secrets });
      out.push({ input, outcome, event: { ...event, host: { name: 'eval-capture', ...(event.host?.runtime ? { runtime: event.host.runtime } : {}) } } });
    }
    return out;
  } finally {
    copy.dispose();
  }
}
