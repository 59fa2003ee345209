import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runDoctor } from '../../orchestrator/library/doctor.ts';
import { git } from '../../orchestrator/library/git/run.ts';
import { openLibrary } from '../../orchestrator/library/library.ts';
import { checkLinks } from '../../orchestrator/library/links.ts';
import { updateManifestFile } from '../../orchestrator/library/manifest.ts';
import { pushPlugin } from '../../orchestrator/library/subtree/push.ts';
import { progress } from '../../orchestrator/cli/output.ts';
import { generateLibrary } from './generate-library.ts';
import { fmt, median, timeCommand, timeMs } from './stats.ts';

const PLUGINS = Number(process.env.BENCH_PLUGINS ?? 1000);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 5000);
const RUNS = 3;
const STEWARD = join(import.meta.dirname, '..', '..', 'orchestrator', 'cli', 'steward.js');

/**
 * The library benchmark of the subtree issue: doctor and link checks over 1,000
 * plugins, and the cost of a push against a from-scratch `git subtree split`.
 */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-library-'));
  const root = join(dir, 'library');
  try {
    const bar = progress('generating');
    const generated = await timeMs(() => generateLibrary(root, PLUGINS, COMMITS, bar.update));
    bar.done();
    const commits = (await git(root, ['rev-list', '--count', 'HEAD'])).trim();
    console.log(`library: ${PLUGINS} plugins, ${commits} commits (generated in ${fmt(generated.ms)})`);

    const doctorCli = Array.from({ length: RUNS }, () => timeCommand([process.execPath, STEWARD, 'doctor', '--json'], root));
    // Side by side: the same commands from the sources through tsx, as every command ran before the build.
    const fromSource = { ...process.env, STEWARD_FROM_SOURCE: '1' };
    const doctorSource = Array.from({ length: RUNS }, () => timeCommand([process.execPath, STEWARD, 'doctor', '--json'], root, fromSource));
    const library = openLibrary({ library: root });
    const doctorInProcess: number[] = [];
    for (let i = 0; i < RUNS; i++) doctorInProcess.push((await timeMs(() => runDoctor(library))).ms);
    const report = await runDoctor(library);
    const linkCli = Array.from({ length: RUNS }, () => timeCommand([process.execPath, STEWARD, 'templates', 'link', '--check', '--json'], root));
    const linkInProcess: number[] = [];
    for (let i = 0; i < RUNS; i++) linkInProcess.push((await timeMs(() => checkLinks(library))).ms);
    const startup = Array.from({ length: RUNS }, () => timeCommand([process.execPath, STEWARD, '--help'], root));
    const startupSource = Array.from({ length: RUNS }, () => timeCommand([process.execPath, STEWARD, '--help'], root, fromSource));

    // One plugin gets a real upstream to push to: a bare repo holding its upstream root commit.
    const name = generated.value.names[Math.floor(PLUGINS / 2)] ?? '';
    const bare = join(dir, `${name}.git`);
    await git(dir, ['init', '-q', '--bare', bare]);
    await git(root, ['push', '-q', bare, `refs/upstream/${name}:refs/heads/main`]);
    updateManifestFile(join(library.paths.plugins, name), (raw) => {
      raw.upstream = { url: bare, branch: 'main' };
    });
    await git(root, ['commit', '-q', '-am', `Point ${name} at its upstream`], {
      env: { GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' },
    });
    const first = await timeMs(() => pushPlugin(library, name));
    writeFileSync(join(library.paths.plugins, name, 'AGENT.md'), `# ${name}\n\nOne more line.\n`);
    await git(root, ['commit', '-q', '-am', `Edit ${name} once more`], {
      env: { GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' },
    });
    const second = await timeMs(() => pushPlugin(library, name));
    const scratchStart = process.hrtime.bigint();
    const split = spawnSync('git', ['subtree', 'split', `--prefix=plugins/${name}`, 'HEAD'], { cwd: root, encoding: 'utf8' });
    const scratchMs = Number(process.hrtime.bigint() - scratchStart) / 1e6;
    const same = split.stdout.trim() === second.value.splitCommit;

    const rows: [string, string, string][] = [
      ['steward --help (CLI start-up, built)', fmt(median(startup.map((r) => r.ms))), `target <= 250 ms; ${Math.max(...startup.map((r) => r.rssMb ?? 0)).toFixed(0)} MB`],
      ['steward --help from the sources (tsx)', fmt(median(startupSource.map((r) => r.ms))), `${Math.max(...startupSource.map((r) => r.rssMb ?? 0)).toFixed(0)} MB`],
      ['doctor, CLI wall time (built)', fmt(median(doctorCli.map((r) => r.ms))), `target <= 1.5 s; exit ${doctorCli[0]?.code}; ${report.summary.errors} errors`],
      ['doctor, CLI wall time from the sources', fmt(median(doctorSource.map((r) => r.ms))), ''],
      ['doctor, in process', fmt(median(doctorInProcess)), ''],
      ['templates link --check, CLI wall time', fmt(median(linkCli.map((r) => r.ms))), ''],
      ['templates link --check, in process', fmt(median(linkInProcess)), ''],
      [`first push of ${name}`, fmt(first.ms), `walked ${first.value.walked} commits`],
      [`second push after one commit`, fmt(second.ms), `walked ${second.value.walked} commit(s)`],
      ['git subtree split from scratch', fmt(scratchMs), same ? 'same commit id as the push' : `DIFFERENT id: ${split.stdout.trim()} ${split.stderr.trim().slice(-200)}`],
      ['second push / scratch split', `${((second.ms / scratchMs) * 100).toFixed(2)} %`, 'target < 10 %'],
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    console.log(`medians of ${RUNS} runs where repeated; one run each for the pushes and the split`);
    for (const [label, value, note] of rows) console.log(`${label.padEnd(width)}  ${value.padStart(10)}  ${note}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
