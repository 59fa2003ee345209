import type { Library } from '../../orchestrator/library/library.ts';
import { readTemplate, render } from './render.ts';
import type { PluginAgentState } from './state.ts';

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
    suspected: top
      ? `The error surfaces in \`${top.function ?? '(anonymous)'}\` at \`${top.file}${top.line ? `:${top.line}` : ''}\`, the first in-app frame. The reproduction, next, tells whether the captured input alone triggers it.`
      : 'No in-app frame: the failure may come from a dependency, the environment or the contract.',
    playbook: context.playbook.name,
    playbookVersion: context.playbook.version,
  });
}
