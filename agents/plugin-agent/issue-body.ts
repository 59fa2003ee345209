import type { Library } from '../../orchestrator/library/library.ts';
import { readTemplate, render } from './render.ts';
import type { PluginAgentState } from './state.ts';

/** In place of the suspected cause: why this group gets no reproduction and no fix, and what a person does about it. */
function whyNoFixText(blocked: NonNullable<PluginAgentState['blocked']>, run: string): string {
  const details = blocked.details.map((d) => `- ${d}`).join('\n');
  if (blocked.kind === 'environment') {
    return [
      `**The environment failed, not the code:** ${blocked.reason}.`,
      details,
      'No code change is expected, so steward neither reproduces the error nor looks for a fix: set right what is named above where the plugin runs. If the error goes on after that, the code may be at fault after all.',
    ].join('\n\n');
  }
  return [
    `**Not reproduced here, and no fix is attempted:** the plugin cannot run where steward works on it (${blocked.reason}).`,
    details,
    `Give steward's worker what is missing (a secret's value never goes in an issue), then replay the run: \`steward runs replay ${run}\`.`,
  ].join('\n\n');
}

/** The issue body for a group, from `templates/issue.md`. */
export function issueBody(library: Library, state: PluginAgentState, run: string): string {
  const context = state.context;
  if (!context) throw new Error('issue body before load-context');
  const input = context.inputs[0];
  const top = context.frames.find((f) => f.inApp);
  return render(readTemplate(library, 'issue.md'), {
    summary: `${context.error.type} in ${state.plugin}${top ? ` at ${top.file}${top.line ? `:${top.line}` : ''}` : ''}`,
    plugin: state.plugin,
    version: context.version,
    errorType: context.error.type,
    errorMessage: context.error.message,
    count: String(context.error.count),
    firstSeen: context.error.firstSeen,
    lastSeen: context.error.lastSeen,
    versions: context.error.versions.join(', ') || '-',
    group: state.group,
    run,
    stack: context.stack,
    input: input === undefined ? '(the events carry no invocation input)' : JSON.stringify(input, null, 2),
    suspected: state.blocked
      ? whyNoFixText(state.blocked, run)
      : top
        ? `The error surfaces in \`${top.function ?? '(anonymous)'}\` at \`${top.file}${top.line ? `:${top.line}` : ''}\`, the first in-app frame. The reproduction, next, tells whether the captured input alone triggers it.`
        : 'No in-app frame: the failure may come from a dependency, the environment or the contract.',
    playbook: context.playbook.name,
    playbookVersion: context.playbook.version,
  });
}
