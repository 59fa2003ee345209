import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { executeRun } from '../../orchestrator/runs/execute-run.ts';
import { steward } from '../helpers/cli.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { standInAgent } from '../helpers/stand-in-agent.ts';
import { quietLog, runsFixture } from './fixture.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('steward runs', () => {
  it('lists, shows, logs, replays, cancels and resumes runs; bad ids and states are usage errors', async () => {
    const f = await runsFixture();
    cleanups.push(() => f.close());
    const run = await f.dispatch();
    const agent = standInAgent({ effectsFile: f.effectsFile, workSeconds: 0, marker: 'unused' });
    await executeRun(
      { run: run.id },
      { library: f.library, store: f.store, redis: f.redis, agent, checkpointer: f.saver, owner: 'cli-test', lockMs: 2000, maxResumes: 1, log: quietLog },
      new AbortController(),
    );
    const cli = (...args: string[]) => steward(['--library', f.library.root, ...args]);

    const list = cli('runs', 'list', '--json');
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { runs: { id: string; state: string }[] }).runs).toEqual([expect.objectContaining({ id: run.id, state: 'completed' })]);
    expect(cli('runs', 'list', '--state', 'done').code).toBe(2);

    const show = JSON.parse(cli('runs', 'show', run.id, '--json').stdout) as { checkpoints: { next: string[] }[]; events: { kind: string }[] };
    expect(show.checkpoints.map((c) => c.next.join(','))).toEqual(['', 'open-issue', 'work', 'propose', '']);
    expect(show.events.map((e) => e.kind)).toContain('effect');
    expect(cli('runs', 'show', run.id).stdout).toMatch(/checkpoints \(steward runs replay <run> --from <id\|node>\):/);

    const logs = cli('runs', 'logs', run.id);
    expect(logs.stdout).toMatch(/node-started\s+\{"node":"work"\}/);
    expect(logs.stdout).toContain('  | work: ok\n');
    const follow = cli('runs', 'logs', run.id, '--follow', '--json');
    expect(
      follow.stdout
        .trim()
        .split('\n')
        .map((line) => Object.keys(JSON.parse(line) as object)[0]),
    ).toContain('output');

    const replay = cli('runs', 'replay', run.id, '--from', 'work', '--json');
    expect(replay.code).toBe(0);
    const copy = (JSON.parse(replay.stdout) as { run: { id: string; trigger: string; state: string } }).run;
    expect(copy).toMatchObject({ trigger: 'replay', state: 'queued' });

    const cancel = cli('runs', 'cancel', copy.id);
    expect(cancel.stdout).toBe(`${copy.id} cancelled\n`);
    expect(cli('runs', 'cancel', copy.id).code).toBe(2);
    expect(await f.queue.getJob(copy.id)).toBeUndefined();
    const resume = cli('runs', 'resume', copy.id, '--json');
    expect(resume.code).toBe(0);
    expect((JSON.parse(resume.stdout) as { run: { state: string } }).run.state).toBe('queued');
    expect((await f.queue.getJobs(['waiting'])).filter((j) => j.data.run === copy.id)).toHaveLength(1);
    expect(cli('runs', 'resume', run.id).stderr).toMatch(/E_RUN_STATE: run \S+ completed; nothing to resume/);

    const unknown = cli('runs', 'show', 'run_nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('E_RUN_UNKNOWN: no run "run_nope"');
    const mysql = steward(['--library', f.library.root, 'runs', 'list'], { env: { DATABASE_URL: 'mysql://db/steward' } });
    expect(mysql.code).toBe(2);
    expect(mysql.stderr).toContain('E_CONFIG_INVALID: DATABASE_URL must be a postgres:// URL, not mysql://…');
  }, 60_000);

  it('steward start serves the host API and a worker in one process, and stops cleanly on SIGTERM', async () => {
    const f = await runsFixture();
    cleanups.push(() => f.close());
    const child = spawn(process.execPath, [join(STEWARD_ROOT, 'orchestrator/cli/steward.js'), '--library', f.library.root, 'start', '--port', '0', '--no-tests'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    const deadline = Date.now() + 30_000;
    while (!out.includes('runs: ') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const where = /steward host on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1];
    expect(where).toBeDefined();
    expect(out).toMatch(/errors: ingest, 16 at once/);
    expect(out).toMatch(/schedule: triage at "\*\/10 \* \* \* \*"/);
    // The plugin API needs the host token, which start wrote into the state dir.
    expect((await fetch(`${where}/v1/plugins`)).status).toBe(401);
    const token = readFileSync(join(f.library.paths.state, 'host-token'), 'utf8').trim();
    const plugins = await fetch(`${where}/v1/plugins`, { headers: { authorization: `Bearer ${token}` } });
    expect(plugins.status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('stopping: runs are checkpointed and their sandboxes stopped');
  }, 60_000);
});
