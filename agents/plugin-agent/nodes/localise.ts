import type { PluginAgentDeps } from '../deps.ts';
import type { PluginAgentState } from '../state.ts';

/**
 * Candidate places for the fix: in-app frames first, the throwing one highest, then
 * the files of the other frames. Coverage-based ranking (Ochiai) belongs to the
 * offline fixer, which runs the tests per candidate anyway.
 */
export function localise(deps: PluginAgentDeps) {
  return (state: PluginAgentState): Partial<PluginAgentState> => {
    const frames = state.context?.frames ?? [];
    const suspects: PluginAgentState['suspects'] = [];
    const seen = new Set<string>();
    frames.forEach((frame, index) => {
      const key = `${frame.file}:${frame.line ?? ''}`;
      if (seen.has(key)) return;
      seen.add(key);
      const score = (frame.inApp ? 1 : 0.1) / (index + 1);
      suspects.push({ file: frame.file, line: frame.line, inApp: frame.inApp, score: Math.round(score * 1000) / 1000, reason: frame.inApp ? `in-app frame ${index + 1} of the stack (${frame.function ?? 'anonymous'})` : `frame ${index + 1}, outside the plugin` });
    });
    suspects.sort((a, b) => b.score - a.score);
    deps.emit('localised', { suspects: suspects.slice(0, 5) });
    return { suspects };
  };
}
