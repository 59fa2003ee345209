import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readCacheOr, writeJsonAtomic } from '../../../orchestrator/core/files.ts';
import { gitRaw } from '../../../orchestrator/library/git/run.ts';
import { linkStatus } from '../../../orchestrator/library/links.ts';
import { checkManifest } from '../../../orchestrator/library/manifest.ts';
import { checkRequirements, defaultRequirementContext } from '../../../orchestrator/library/requires.ts';
import { runPluginTests } from '../../../orchestrator/sandbox/plugin-tests.ts';
import { createWorkingCopy } from '../../../orchestrator/sandbox/working-copy.ts';
import type { ManagerDeps } from '../deps.ts';
import type { ManagerState } from '../state.ts';

/** Each plugin's last test run, by the tree it ran on: a cache in the state dir. */
const memoSchema = z.record(z.string(), z.object({ tree: z.string(), testedAt: z.string(), status: z.enum(['passed', 'failed', 'error']) }));
type Memo = z.output<typeof memoSchema>;

/** Each plugin's tree id at HEAD, from one git call: what "its code changed" means. */
async function treeIds(deps: ManagerDeps): Promise<Map<string, string>> {
  const listing = await gitRaw(deps.library.root, ['ls-tree', '--end-of-options', 'HEAD', '--', `${deps.library.config.pluginsDir}/`]);
  const out = new Map<string, string>();
  if (listing.code !== 0) return out;
  for (const line of listing.stdout.split('\n')) {
    const match = /^\d+ tree ([0-9a-f]+)\t.*\/([^/]+)$/.exec(line);
    if (match?.[1] && match[2]) out.set(match[2], match[1]);
  }
  return out;
}

/**
 * Health per plugin: failed (bad manifest), unavailable (a requirement missing here),
 * failing (its tests fail), degraded (errors captured, tests pass), healthy. A suite
 * runs again, sandboxed, when the plugin's tree changed or its last run is too old.
 */
export function refreshHealth(deps: ManagerDeps) {
  return async (state: ManagerState): Promise<Partial<ManagerState>> => {
    const memoFile = join(deps.library.paths.state, 'health.json');
    const memo: Memo = readCacheOr(memoSchema, memoFile, {});
    const trees = deps.runTests ? await treeIds(deps) : new Map<string, string>();
    const maxAge = deps.library.config.manager.healthMaxAgeMinutes * 60_000;
    const ctx = deps.requirements ?? defaultRequirementContext();
    const withErrors = new Set(state.groups.map((g) => g.plugin));
    const plugins = [];
    for (const plugin of state.plugins) {
      const dir = join(deps.library.paths.plugins, plugin.name);
      const { manifest, problems } = checkManifest(dir, plugin.name);
      if (!manifest || problems.length > 0) {
        plugins.push({ ...plugin, health: 'failed' as const, reason: `manifest: ${problems[0]?.path ?? '$'}: ${problems[0]?.message ?? 'missing'}` });
        continue;
      }
      // An agent could not start on a plugin without its context: that is the library's fault to fix.
      const link = linkStatus(deps.library, plugin.name, 'PLAYBOOK.md');
      if (!existsSync(join(dir, 'AGENT.md')) || (link.state !== 'linked' && link.state !== 'overridden')) {
        plugins.push({
          ...plugin,
          health: 'failed' as const,
          reason: `agent context incomplete: ${existsSync(join(dir, 'AGENT.md')) ? `.steward/PLAYBOOK.md is ${link.state}` : 'AGENT.md is missing'}`,
        });
        continue;
      }
      const missing = checkRequirements(manifest, dir, ctx);
      if (missing.length > 0) {
        plugins.push({ ...plugin, health: 'unavailable' as const, reason: missing.map((m) => m.message).join('; ') });
        continue;
      }
      let tests = memo[plugin.name];
      const tree = trees.get(plugin.name);
      const stale = !tests || tests.tree !== tree || Date.now() - Date.parse(tests.testedAt) > maxAge;
      if (deps.runTests && tree && stale) {
        const copy = createWorkingCopy(dir, { quotaMb: manifest.limits.diskMb });
        try {
          const run = await runPluginTests(manifest, copy);
          tests = { tree, testedAt: new Date().toISOString(), status: run.status };
          memo[plugin.name] = tests;
        } finally {
          copy.dispose();
        }
      }
      if (tests && tests.status !== 'passed')
        plugins.push({ ...plugin, health: 'failing' as const, reason: `its test suite ${tests.status === 'failed' ? 'fails' : 'did not finish'} (${tests.testedAt})` });
      else plugins.push({ ...plugin, health: withErrors.has(plugin.name) ? ('degraded' as const) : ('healthy' as const) });
    }
    if (deps.runTests) writeJsonAtomic(memoFile, memo);
    return { plugins };
  };
}
