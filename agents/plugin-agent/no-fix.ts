import type { PluginContext } from '../../orchestrator/library/context.ts';
import { checkRequirements, defaultRequirementContext } from '../../orchestrator/library/requires.ts';
import { classifyEnvironmentError, whereConfigured, type ErrorEvidence } from './environment-error.ts';
import type { PluginAgentState } from './state.ts';

type Blocked = NonNullable<PluginAgentState['blocked']>;

/**
 * Why this run attempts no fix, or undefined when it goes on: an error that says the
 * environment failed (no code change is expected), else a plugin that cannot run here
 * (no reproduction is possible). The environment comes first: it is what production
 * reported, and it holds wherever the run is.
 */
export function whyNoFix(plugin: Pick<PluginContext, 'dir' | 'prefix' | 'manifest'>, env: NodeJS.ProcessEnv, error: Omit<ErrorEvidence, 'declared'>): Blocked | undefined {
  const manifestFile = `${plugin.prefix}/plugin.json`;
  const found = classifyEnvironmentError({ ...error, declared: plugin.manifest.env.map((v) => v.name) });
  if (found) {
    return {
      kind: 'environment',
      reason: found.what,
      details: [
        ...(found.raisedAt ? [`raised at \`${found.raisedAt}\``] : []),
        `where it is configured: ${whereConfigured(found, plugin.manifest.env, manifestFile)}`,
        `classified by ${found.signal}`,
      ],
    };
  }
  const missing = checkRequirements(plugin.manifest, plugin.dir, defaultRequirementContext(env));
  if (missing.length === 0) return undefined;
  return {
    kind: 'unavailable',
    reason: missing.map((m) => m.message).join('; '),
    details: missing.map((m) => `${m.message} (\`${m.path}\` in \`${manifestFile}\`)`),
  };
}
