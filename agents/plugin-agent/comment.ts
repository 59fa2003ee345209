import type { PluginAgentDeps } from './deps.ts';
import type { PluginAgentState } from './state.ts';

/** A comment on the run's issue, once per run and step however often the step is retried. */
export async function commentOnce(deps: PluginAgentDeps, state: PluginAgentState, step: string, body: string): Promise<void> {
  const issue = state.issue;
  if (!issue) return;
  await deps.once(`comment:${deps.run.id}:${step}`, async () => {
    await deps.tracker.comment(issue.number, body);
    return { issue: issue.number };
  });
}
