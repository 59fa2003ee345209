import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { readJsonWith } from '../../core/json.ts';
import { summary } from '../commands.ts';
import { runDoctor } from '../../library/doctor.ts';
import { git } from '../../library/git/run.ts';
import { appendPluginHistory } from '../../library/context.ts';
import { listPluginNames, openLibrary } from '../../library/library.ts';
import { checkLinks } from '../../library/links.ts';
import { commitAll, createScratchLibrary, createUpstream } from '../../library/scratch.ts';
import { addPlugin } from '../../library/subtree/add.ts';
import { pullPlugin } from '../../library/subtree/pull.ts';
import { pushPlugin } from '../../library/subtree/push.ts';
import { PluginHost } from '../../host/host.ts';
import { Capture } from '../../ingest/capture.ts';
import { libraryRedis, stopRedis } from '../../redis/server.ts';
import { executeRuns, ingestQueued, triagePass } from '../../../agents/pipeline.ts';
import { openPluginAgent } from '../../../agents/plugin-agent/index.ts';
import { openTracker } from '../../../agents/trackers/registry.ts';
import { createLogger } from '../../core/logger.ts';
import type { Library } from '../../library/library.ts';
import type { RedisTarget } from '../../redis/server.ts';
import { EXIT } from '../exit-codes.ts';
import { print, progress, table } from '../output.ts';
import { STEWARD_ROOT } from './init.ts';

/** A latent defect of an example plugin: the input that fires it in production, and one that does not. */
const defectSchema = z.object({
  plugin: z.string(),
  trigger: z.object({ input: z.unknown() }),
  healthyInput: z.unknown().optional(),
  env: z.record(z.string(), z.string()).optional(),
});
type Defect = z.output<typeof defectSchema>;

/** The example plugins' recorded defects: kept outside the plugins, so no agent can read them. */
function readDefects(names: readonly string[]): Defect[] {
  const dir = join(STEWARD_ROOT, 'orchestrator', 'cli', 'demo-defects');
  return names.filter((name) => existsSync(join(dir, `${name}.json`))).map((name) => readJsonWith(defectSchema, join(dir, `${name}.json`), { code: 'E_USAGE' }));
}

function step(text: string): void {
  print(`\n== ${text}`);
}

/** Executes the dispatched runs with a run executor and the Plugin Agent, with a live count, and shows what each did. */
async function runDispatched(library: Library, target: RedisTarget, dispatched: { run: string; plugin: string }[]): Promise<void> {
  const bar = progress('runs');
  const { runs } = await executeRuns(
    target,
    library,
    dispatched.map((d) => d.run),
    {
      agent: openPluginAgent(target, library),
      log: createLogger({ component: 'demo' }),
      deadline: Date.now() + 300_000,
      onProgress: bar.update,
    },
  );
  bar.done();
  const byId = new Map(runs.map((r) => [r.id, r]));
  const tracker = openTracker(library);
  for (const { run, plugin } of dispatched) {
    const record = byId.get(run);
    const listed = (await tracker.listIssues({ plugin }))[0];
    const issue = listed ? await tracker.getIssue(listed.number) : undefined;
    const line = (at: number): string => (issue?.comments.at(at)?.body.split('\n')[0] ?? '').replace(/\*\*/g, '').slice(0, 110);
    print(`  ${plugin.padEnd(16)} ${record?.state ?? '?'}${record?.error ? ` (${record.error})` : ''}; issue #${issue?.number ?? '-'}: ${line(0)}`);
    if ((issue?.comments.length ?? 0) > 1) print(`  ${''.padEnd(16)} then: ${line(-1)}`);
  }
  const waiting = dispatched.filter((d) => byId.get(d.run)?.state === 'awaiting_approval');
  print(`  ${waiting.length} validated fix(es) wait for review: ${waiting.map((w) => w.plugin).join(', ') || 'none'}`);
}

/**
 * The main job on the embedded defaults: a scratch library built from the example
 * plugins, each added as a real subtree of its own upstream, linked, checked and synced
 * both ways; production inputs through the host into the errors queue; ingest, triage
 * and a run of each plugin's agent to an issue and, where it finds one, a validated fix.
 */
async function runDemo(dir: string): Promise<number> {
  const examples = openLibrary({ library: STEWARD_ROOT });
  const names = listPluginNames(examples);
  rmSync(dir, { recursive: true, force: true });
  const libraryRoot = join(dir, 'library');
  const upstreams = join(dir, 'upstreams');
  print(`scratch copy of the example library in ${dir}`);

  step(`1. an upstream repository for each of the ${names.length} example plugins`);
  const work = new Map<string, string>();
  for (const name of names) work.set(name, await createUpstream(join(examples.paths.plugins, name), join(upstreams, `${name}.git`)));
  print(names.map((n) => `  ${relative(dir, join(upstreams, `${n}.git`))}`).join('\n'));

  step('2. a new library; each plugin added as a git subtree (full history, merge commit)');
  const library = await createScratchLibrary(libraryRoot, STEWARD_ROOT);
  for (const name of names) {
    const added = await addPlugin(library, name, { from: join(upstreams, `${name}.git`) });
    print(`  steward plugin add ${name} --from ${relative(dir, added.url)}  -> ${added.prefix}/`);
  }

  step('3. templates link --check: the shared playbook reaches every plugin through its link');
  const links = checkLinks(library);
  print(`  ${links.filter((l) => l.state === 'linked').length}/${links.length} links in place`);

  const [first] = names;
  if (first) {
    step(`4. sync both ways for ${first}`);
    const upstreamWork = work.get(first) ?? '';
    await git(upstreamWork, ['pull', '-q', '--', join(upstreams, `${first}.git`), 'main']);
    appendFileSync(join(upstreamWork, 'AGENT.md'), '\n## Upstream note\n\nAdded upstream after the library took the plugin in.\n');
    await commitAll(upstreamWork, 'Document an upstream note');
    await git(upstreamWork, ['push', '-q', '--', join(upstreams, `${first}.git`), 'HEAD:main']);
    const pulled = await pullPlugin(library, first);
    print(`  upstream commit -> steward plugin pull ${first}: merged at ${pulled.head.slice(0, 12)}`);
    appendPluginHistory(library, first, { at: new Date().toISOString(), type: 'note', summary: 'Checked by the steward demo.' });
    await commitAll(libraryRoot, `${first}: record the demo check in its history`);
    const pushed = await pushPlugin(library, first);
    print(`  library commit -> steward plugin push ${first}: walked ${pushed.walked} commits, upstream at ${pushed.splitCommit.slice(0, 12)}`);
    const log = await git(libraryRoot, ['log', '--oneline', '-4', '--end-of-options', pushed.splitCommit]);
    print(
      log
        .trim()
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n'),
    );
    // The second push has one more commit to walk, not the whole history.
    writeFileSync(join(library.paths.plugins, first, 'AGENT.md'), `${readFileSync(join(library.paths.plugins, first, 'AGENT.md'), 'utf8')}\n`);
    await commitAll(libraryRoot, `${first}: trailing newline`);
    const again = await pushPlugin(library, first);
    print(`  one more commit -> push walked ${again.walked} commit(s)`);
  }

  step('5. the plugin host runs every plugin, sandboxed, with production-like inputs');
  const target = await libraryRedis(library);
  print(`  redis: ${target.describe}`);
  const capture = new Capture(target);
  const defects = readDefects(names);
  const host = new PluginHost({ library, sink: capture, env: { ...process.env, ...Object.assign({}, ...defects.map((d) => d.env ?? {})) } });
  host.load();
  for (const defect of defects) {
    const healthy = defect.healthyInput === undefined ? undefined : await host.invoke(defect.plugin, defect.healthyInput);
    const triggered = await host.invoke(defect.plugin, defect.trigger.input);
    const describe = (o: typeof healthy): string => (!o ? '-' : o.ok ? 'ok' : `${o.kind}: ${o.error.type}: ${o.error.message}`.slice(0, 90));
    print(`  ${defect.plugin.padEnd(16)} healthy input: ${describe(healthy).padEnd(4)}  production input: ${describe(triggered)}`);
  }
  await host.close();
  const stats = await capture.close();
  print(`  ${stats.sent} error event(s) captured into the errors queue (${stats.dropped} dropped)`);

  step('6. the ingest consumer validates, scrubs, fingerprints and groups them');
  const groups = await ingestQueued(target, library);
  print(
    table(
      ['GROUP', 'PLUGIN', 'STATUS', 'COUNT', 'ERROR'],
      groups.map((g) => [g.id.slice(0, 12), g.plugin, g.status, String(g.count), `${g.type}: ${g.message}`.slice(0, 70)]),
    ),
  );
  print(`  ${groups.length} new group(s), each queued for triage once`);

  step('7. the Manager Agent triages: health (each suite run in the sandbox), priorities, limits, one run per chosen group');
  // The defaults (2 proposals an hour) would hold three of the five groups back: the demo shows them all.
  library.config.manager.prHourlyLimit = 10;
  print('  (the demo raises manager.prHourlyLimit from 2 to 10, so that every group gets its run)');
  const state = await triagePass(target, library, { runTests: true });
  const dispatched = state.dispatched;
  print(
    table(
      ['PLUGIN', 'HEALTH', 'WHY'],
      state.plugins.map((p) => [p.name, p.health, p.reason ?? '']),
    ),
  );
  for (const run of state.dispatched) print(`  dispatched ${run.run}  ${run.plugin}`);
  for (const item of state.held) print(`  held back   ${item.plugin}: ${item.reason}`);
  print(`  maintenance dashboard: ${relative(dir, join(library.paths.state, 'tracker', 'dashboard.md'))}`);

  step(
    "8. a run executor takes each through its plugin's agent: an issue, a reproduction in the sandbox, the suspects, then a fix the sandbox validated or the reason there is none",
  );
  await runDispatched(library, target, dispatched);

  step('9. steward doctor');
  const report = await runDoctor(library);
  print(
    table(
      ['PLUGIN', 'STATUS', 'LINKS', 'SUBTREE', 'UNPUSHED', 'NOTES'],
      report.plugins.map((r) => [
        r.plugin,
        r.status,
        r.links.every((l) => l.state === 'linked') ? 'linked' : 'check',
        r.subtree.added ? 'yes' : 'no',
        r.subtree.unpushed === null ? '-' : String(r.subtree.unpushed),
        r.findings
          .filter((f) => f.severity !== 'info')
          .map((f) => f.message)
          .join('; '),
      ]),
    ),
  );
  print(`  ${report.summary.ok} ok, ${report.summary.warnings} with warnings, ${report.summary.errors} with errors`);
  for (const finding of report.environment) print(`  ${finding.severity}: ${finding.message}`);

  step('next');
  print(`  cd ${libraryRoot}`);
  print(`  ${resolve(STEWARD_ROOT, 'orchestrator/cli/steward.js')} doctor          # the same check, with --json for scripts`);
  print(`  ${resolve(STEWARD_ROOT, 'orchestrator/cli/steward.js')} plugin context ${first ?? '<name>'}   # what its agent will read`);
  print(`  ${resolve(STEWARD_ROOT, 'orchestrator/cli/steward.js')} errors list          # the groups above; "errors show <group>" for one`);
  print(`  ${resolve(STEWARD_ROOT, 'orchestrator/cli/steward.js')} runs list            # the runs triage dispatched; "runs show <run>" for one`);
  print(`  ${resolve(STEWARD_ROOT, 'orchestrator/cli/steward.js')} start                # host, HTTP API, worker and scheduled triage in one process`);
  print(`  ${resolve(STEWARD_ROOT, 'orchestrator/cli/steward.js')} issues show 1        # an issue the agent opened`);
  print(
    `  ${resolve(STEWARD_ROOT, 'orchestrator/cli/steward.js')} review list          # the validated fixes that wait for a maintainer; "review show <run>" for the diff and evidence`,
  );
  await stopRedis(library.paths.state);
  print('  (the demo stopped its Redis; any steward command that needs it starts it again, data kept)');
  return report.summary.errors > 0 ? EXIT.findings : EXIT.ok;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(summary('demo'))
    .option('--dir <dir>', "where to build the scratch library, wiped first (default: .steward/demo in steward's own directory)")
    .action(async (options: { dir?: string }) => {
      process.exitCode = await runDemo(resolve(options.dir ?? join(STEWARD_ROOT, '.steward', 'demo')));
    });
}
