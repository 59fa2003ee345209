import { join } from 'node:path';
import { fakeModel } from '@langchain/core/testing';
import { describe, expect, it } from 'vitest';
import { runEval } from '../../evals/harness/runner.ts';
import { loadSuite } from '../../evals/harness/task.ts';
import { createLogger } from '../../orchestrator/core/logger.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { tempDir } from '../helpers/temp.ts';

describe('an eval with the llm fixer (a scripted model)', () => {
  it('resolves the task through the model and counts its calls and the candidates among the costs', async () => {
    const suite = loadSuite(join(STEWARD_ROOT, 'evals', 'suites', 'smoke'), ['csv-short-row']);
    const model = fakeModel()
      .respondWithTools([{ name: 'read_file', args: { path: 'src/records.js', startLine: 45, endLine: 56 } }])
      .respondWithTools([{ name: 'edit_file', args: { path: 'src/records.js', oldText: 'const value = fields[c];', newText: "const value = fields[c] ?? '';" } }])
      .respondWithTools([{ name: 'run_reproduction', args: {} }])
      .respondWithTools([{ name: 'finish', args: { rationale: 'a missing trailing field is now an empty string' } }]);
    const results = await runEval({
      suite,
      config: {
        suite: { name: 'smoke', description: '', dir: suite.dir },
        fixer: 'llm',
        model: 'scripted:csv-fix',
        playbook: { name: 'default', version: '1.0.0', hash: 'h' },
        repeat: 1,
        tasks: ['csv-short-row'],
      },
      out: join(tempDir(), 'out'),
      concurrency: 1,
      timeoutMs: 300_000,
      stewardRoot: STEWARD_ROOT,
      log: createLogger({ component: 'eval-test' }),
      chatModel: async () => model,
    });
    const [attempt] = results.attempts;
    expect(attempt).toMatchObject({ task: 'csv-short-row', success: true, reason: null, scores: { issue: true, reproduced: true, patch: true, resolved: true } });
    expect(attempt?.costs.modelCalls).toBe(4);
    expect(attempt?.costs.candidatesTried).toBe(1);
    expect(attempt?.patch).toContain("+      const value = fields[c] ?? '';");
    expect(results.summary.costs.modelCalls).toBe(4);
  }, 300_000);
});
