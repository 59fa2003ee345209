import { checkedOutput, compileValidators, refusedInput } from '../../orchestrator/host/contract.ts';
import { failureEvent } from '../../orchestrator/host/failure-event.ts';
import { invokeOnce } from '../../orchestrator/host/invoke-once.ts';
import type { Outcome } from '../../orchestrator/host/types.ts';
import type { ErrorEvent } from '../../orchestrator/ingest/event.ts';
import { scrubEvent } from '../../orchestrator/ingest/scrub.ts';
import { pluginEnv } from '../../orchestrator/library/plugin-env.ts';
import type { Manifest } from '../../orchestrator/library/manifest.ts';
import { createWorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';

export interface Invocation {
  input: unknown;
  outcome: Outcome;
  /** The error event the host would have captured, when the call failed. */
  event?: ErrorEvent;
}

/**
 * Calls the plugin once per input in the sandbox, as the host does in production (the
 * input and the output checked against the interface), and builds the error event the
 * host's capture would send for each failure.
 */
export async function invokeAll(pluginDir: string, manifest: Manifest, inputs: readonly unknown[], env: Record<string, string>): Promise<Invocation[]> {
  const copy = createWorkingCopy(pluginDir, { quotaMb: manifest.limits.diskMb });
  const { env: declared, secrets } = pluginEnv(manifest, env);
  try {
    const out: Invocation[] = [];
    const { validators } = compileValidators(manifest);
    for (const input of inputs) {
      const outcome = refusedInput(validators, input) ?? checkedOutput(validators, await invokeOnce({ manifest, copy, request: { op: 'execute', input }, env: declared }));
      if (outcome.ok || outcome.kind === 'not-runnable') {
        out.push({ input, outcome });
        continue;
      }
      // The eval's capture point: the event is scrubbed here, as a host's capture sink would.
      const event = scrubEvent(failureEvent(manifest, outcome.kind, outcome.error, 'execute', input, undefined, 'eval-capture'), secrets);
      out.push({ input, outcome, event });
    }
    return out;
  } finally {
    copy.dispose();
  }
}
