import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { StewardError } from '../../../orchestrator/core/errors.ts';
import type { ErrorEvent } from '../../../orchestrator/ingest/event.ts';
import { loadPluginContext } from '../../../orchestrator/library/context.ts';
import { effectivePlaybook } from '../../../orchestrator/library/playbook.ts';
import { isInside } from '../../../orchestrator/library/tree.ts';
import type { PluginAgentDeps } from '../deps.ts';
import { whyNoFix } from '../no-fix.ts';
import type { PluginAgentState } from '../state.ts';

/** Budgets that keep a context readable by a person and affordable for a model. */
const AGENT_MD_BYTES = 8 * 1024;
const SOURCE_BYTES = 16 * 1024;
const LINES_AROUND = 12;

interface Sample {
  event: ErrorEvent;
  frames: { function: string | null; file: string; line: number | null; inApp: boolean }[];
}

/** The source around each in-app frame, inside the plugin only, within the budget. */
function sourceAround(dir: string, frames: Sample['frames']): { file: string; startLine: number; text: string }[] {
  const out: { file: string; startLine: number; text: string }[] = [];
  let used = 0;
  const root = realpathSync(dir);
  for (const frame of frames.filter((f) => f.inApp && f.line !== null).slice(0, 5)) {
    const file = join(dir, frame.file);
    if (!existsSync(file) || !isInside(root, realpathSync(file))) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    const start = Math.max(1, (frame.line ?? 1) - LINES_AROUND);
    const text = lines.slice(start - 1, (frame.line ?? 1) + LINES_AROUND).join('\n');
    if (used + text.length > SOURCE_BYTES) break;
    used += text.length;
    out.push({ file: frame.file, startLine: start, text });
  }
  return out;
}

/**
 * The playbook (through the plugin's link or its override), AGENT.md, the manifest,
 * the last history entries, the group with its scrubbed samples, and the source
 * around the in-app frames. The playbook's `stopAfter` policy tightens the run's.
 */
export function loadContext(deps: PluginAgentDeps) {
  return async (state: PluginAgentState): Promise<Partial<PluginAgentState>> => {
    const plugin = loadPluginContext(deps.library, state.plugin);
    const playbook = effectivePlaybook(plugin.playbook);
    const group = await deps.groups.get(state.group);
    if (!group) throw new StewardError('E_GROUP_UNKNOWN', `error group ${state.group} is gone from Redis`);
    const samples = ((await deps.groups.samples(state.group)) as Sample[]).sort((a, b) => b.event.timestamp.localeCompare(a.event.timestamp));
    const latest = samples[0];
    const inputs: unknown[] = [];
    const seen = new Set<string>();
    for (const sample of samples) {
      const input = sample.event.invocation?.input;
      const key = JSON.stringify(input);
      if (input === undefined || seen.has(key)) continue;
      seen.add(key);
      inputs.push(input);
    }
    const frames = latest?.frames ?? [];
    // The run's stop (config) and the playbook's policy both hold: the earlier one wins.
    const stops = ['issue', 'reproduce', 'propose'] as const;
    const stopAfter = stops[Math.min(stops.indexOf(state.stopAfter), stops.indexOf(playbook.front.policies.stopAfter))] ?? state.stopAfter;
    const error = latest?.event.error;
    const blocked = whyNoFix(plugin, deps.env, { type: group.type, message: group.message, code: error?.code, frames, operation: latest?.event.invocation?.operation });
    return {
      stopAfter,
      ...(blocked ? { blocked } : {}),
      context: {
        playbook: {
          name: playbook.front.name,
          version: playbook.front.version,
          hash: playbook.hash,
          source: plugin.playbook.source,
          requireReproduction: playbook.front.policies.requireReproduction,
          maxChangedLines: playbook.front.policies.maxChangedLines,
          maxChangedOutputShare: playbook.front.policies.maxChangedOutputShare,
          generatedInputs: playbook.front.policies.generatedInputs,
          protectedPaths: playbook.front.policies.protectedPaths,
          text: playbook.body,
          ...(playbook.notes?.trim() ? { notes: playbook.notes } : {}),
          fixers: playbook.front.policies.fixers.map((f) => ({ name: f.name, budget: f.budget })),
        },
        version: plugin.manifest.version,
        runtime: plugin.manifest.runtime,
        agentMd: plugin.agentMd.slice(0, AGENT_MD_BYTES),
        history: plugin.history,
        error: { type: group.type, message: group.message, level: group.level, count: group.count, firstSeen: group.firstSeen, lastSeen: group.lastSeen, versions: group.versions },
        stack: latest?.event.error.stack ?? `${group.type}: ${group.message}`,
        inputs,
        traffic: ((await deps.traffic?.list(state.plugin, plugin.manifest.version)) ?? []).map(({ input, output }) => ({ input, output })),
        frames,
        source: sourceAround(plugin.dir, frames),
      },
    };
  };
}
