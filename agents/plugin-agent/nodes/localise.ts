import type { PluginAgentDeps } from '../deps.ts';
import type { PluginAgentState } from '../state.ts';

type Suspects = NonNullable<PluginAgentState['suspects']>;

/** Stack frames as suspects: in-app frames first, the throwing one highest, then the files of the other frames. */
export function rankFrames(frames: readonly { file: string; line: number | null; inApp: boolean; function?: string | null | undefined }[]): Suspects {
  const suspects: Suspects = [];
  const seen = new Set<string>();
  frames.forEach((frame, index) => {
    const key = `${frame.file}:${frame.line ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    const score = (frame.inApp ? 1 : 0.1) / (index + 1);
    suspects.push({
      file: frame.file,
      line: frame.line,
      inApp: frame.inApp,
      score: Math.round(score * 1000) / 1000,
      reason: frame.inApp ? `in-app frame ${index + 1} of the stack (${frame.function ?? 'anonymous'})` : `frame ${index + 1}, outside the plugin`,
    });
  });
  return suspects.sort((a, b) => b.score - a.score);
}

/**
 * Candidate places for the fix, from the group's stack. The offline fixer goes on from
 * these to the functions they call.
 */
export function localise(deps: PluginAgentDeps) {
  return (state: PluginAgentState): Partial<PluginAgentState> => {
    const suspects = rankFrames(state.context?.frames ?? []);
    deps.emit('localised', { suspects: suspects.slice(0, 5) });
    return { suspects };
  };
}
