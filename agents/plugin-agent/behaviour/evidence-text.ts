import { codeSpan } from '../../../orchestrator/core/markdown.ts';
import type { BehaviourReport } from './oracle.ts';

const input = (value: unknown): string => {
  const text = JSON.stringify(value) ?? 'undefined';
  return codeSpan(text.length > 200 ? `${text.slice(0, 200)}…` : text);
};

/**
 * What a reviewer reads of a fix beyond the reproduction, one line each (a markdown
 * list that reads as plain text too): why it may only hide the failure, what each
 * captured production input returned before and returns now, and what else it changes
 * of recorded production traffic and of generated inputs, with examples.
 */
export function behaviourLines(evidence: { warnings?: readonly string[]; behaviour?: BehaviourReport | undefined }): string[] {
  const lines = (evidence.warnings ?? []).map((w) => `- warning: ${w}`);
  const report = evidence.behaviour;
  if (!report) return lines;
  for (const p of report.production) lines.push(`- captured input ${input(p.input)}: before ${codeSpan(p.before)}; now ${codeSpan(p.after)}`);
  const { traffic, generated } = report;
  if (traffic.recorded > 0) {
    const skipped = traffic.unreproducible > 0 ? ` (${traffic.unreproducible} the original no longer answers so here, not held)` : '';
    lines.push(`- recorded production calls: ${traffic.checked} of ${traffic.recorded} replayed${skipped}; ${traffic.changed} output(s) changed, ${traffic.broken} now fail`);
    for (const e of traffic.examples) lines.push(`  - ${input(e.input)}: recorded ${codeSpan(e.before)}; now ${codeSpan(e.after)}`);
  }
  if (generated.inputs > 0) {
    lines.push(
      `- generated inputs: ${generated.checked} of ${generated.inputs} compared with the original; ${generated.changed} output(s) changed, ${generated.broken} now fail, ${generated.newlyHandled} newly handled`,
    );
    for (const e of generated.examples) lines.push(`  - ${input(e.input)}: before ${codeSpan(e.before)}; now ${codeSpan(e.after)}`);
  }
  return lines;
}
