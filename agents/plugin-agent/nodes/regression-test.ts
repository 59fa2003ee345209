import { fenced } from '../../../orchestrator/core/markdown.ts';
import { runPluginTests } from '../../../orchestrator/sandbox/plugin-tests.ts';
import { Workspace } from '../../fixers/workspace.ts';
import { pluginUnderFix } from '../checks.ts';
import { commentOnce } from '../comment.ts';
import type { PluginAgentDeps } from '../deps.ts';
import { findRegressionTest, planRegressionTest, regressionTestFiles } from '../test-writer/index.ts';
import type { PluginAgentState } from '../state.ts';

const LANGUAGE: Record<string, string> = { '.py': 'python', '.ts': 'ts', '.mts': 'ts', '.cts': 'ts' };

/**
 * A regression test in the plugin's own style for the reproduced error, kept only when
 * the plugin's suite, run with it in the sandbox, fails at exactly that test: the issue
 * gets it (a group with no fix still leaves a failing test to start from), and every
 * proposal adds it to its patch.
 */
export function regressionTest(deps: PluginAgentDeps) {
  return async (state: PluginAgentState): Promise<Partial<PluginAgentState>> => {
    const { reproduction } = state;
    if (!reproduction?.request || !reproduction.error || state.regressionTest) return {};
    const { dir, manifest, env } = pluginUnderFix(deps.library, state.plugin, deps.env);
    const none = (why: string): Partial<PluginAgentState> => {
      deps.emit('regression-test', { written: false, why });
      return { regressionTest: { why } };
    };
    const plan = planRegressionTest({ dir, manifest, input: reproduction.request.input, error: reproduction.error, group: state.group, env });
    if (!plan.ok) return none(plan.reason);
    const ws = new Workspace(dir, manifest.limits.diskMb);
    let failure: string | undefined;
    try {
      ws.apply(regressionTestFiles(plan.test));
      const run = await runPluginTests(manifest, ws.copy, { signal: deps.signal });
      const mine = findRegressionTest(run.tests, plan.test.name);
      if (!mine) return none(`the plugin's suite did not run the test written at ${plan.test.path}`);
      if (mine.outcome !== 'fail') return none(`the test written at ${plan.test.path} does not fail on the original (${mine.outcome})`);
      failure = (mine.failure ?? '').slice(0, 500);
    } finally {
      ws.dispose();
    }
    deps.emit('regression-test', { written: true, path: plan.test.path, runner: plan.test.runner });
    const language = LANGUAGE[/\.[a-z]+$/.exec(plan.test.path)?.[0] ?? ''] ?? 'js';
    const hook = plan.test.hook ? `\n\nThe suite loads it from \`${plan.test.hook.path}\`, which names its test files one by one.` : '';
    await commentOnce(
      deps,
      state,
      'regression-test',
      `**A regression test that fails now** with the production error (${plan.test.runner}), \`${plan.test.path}\`; a proposed fix adds it to the plugin:${hook}\n\n${fenced(plan.test.text, language)}`,
    );
    return { regressionTest: { ...plan.test, ...(failure ? { failure } : {}) } };
  };
}
