import { createHash } from 'node:crypto';
import type { PluginAgentDeps } from './deps.ts';
import type { PluginAgentState } from './state.ts';

/**
 * A comment on the run's issue, once per step and text however often the step is
 * retried, and by whichever run: a replay or a later run that would say the same
 * thing at the same step adds nothing to the thread.
 */
export async function commentOnce(deps: PluginAgentDeps, state: PluginAgentState, step: string, body: string): Promise<void> {
  const issue = state.issue;
  if (!issue) return;
  const text = createHash('sha256').update(body).digest('hex').slice(0, 24);
  await deps.once(`comment:${issue.number}:${step}:${text}`, async () => {
    await deps.tracker.comment(issue.number, body);
    return { issue: issue.number };
  });
}
