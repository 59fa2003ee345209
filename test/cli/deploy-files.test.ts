import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { steward } from '../helpers/cli.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';

/**
 * No container runtime runs here, so the deployment files are checked, not built: the
 * YAML parses without warnings into what a team needs, and every steward command and
 * option they use is one the CLI has.
 */
const read = (file: string) => readFileSync(join(STEWARD_ROOT, 'deploy', file), 'utf8');

function yamlOf(file: string): Record<string, unknown> {
  const doc = parseDocument(read(file), { strict: true, uniqueKeys: true });
  expect([...doc.errors, ...doc.warnings].map((e) => e.message)).toEqual([]);
  return doc.toJS() as Record<string, unknown>;
}

/** The options a `steward <command…> --help` lists. */
function optionsOf(...command: string[]): Set<string> {
  const help = steward([...command, '--help']);
  expect(help.code).toBe(0);
  return new Set(help.stdout.match(/--[a-z][a-z-]*/g) ?? []);
}

describe('the deployment files', () => {
  it('the Dockerfile starts steward with options `start` has, publishes ingest apart from the plugin API, and checks /healthz', () => {
    const dockerfile = read('Dockerfile');
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(cmd[0]).toBe('start');
    const known = optionsOf('start');
    for (const flag of cmd.filter((a) => a.startsWith('--'))) expect(known, flag).toContain(flag);
    expect(cmd.slice(cmd.indexOf('--bind'), cmd.indexOf('--bind') + 2)).toEqual(['--bind', '127.0.0.1']);
    expect(cmd.slice(cmd.indexOf('--ingest-bind'), cmd.indexOf('--ingest-bind') + 2)).toEqual(['--ingest-bind', '0.0.0.0']);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n\s+CMD .*\/healthz/m);
    expect(dockerfile).toMatch(/apt-get install .*bubblewrap/);
  });

  it('compose runs steward with a healthy Redis and Postgres and publishes only the ingest port', () => {
    const compose = yamlOf('compose.yaml') as {
      services: Record<string, { environment?: Record<string, string>; ports?: string[]; healthcheck?: unknown; depends_on?: Record<string, { condition: string }> }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'redis', 'steward']);
    const { steward: app, redis, postgres } = compose.services;
    expect(app?.ports).toEqual(['7071:7071']);
    expect(app?.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(app?.environment?.DATABASE_URL).toMatch(/^postgres:\/\/steward:.*@postgres:5432\/steward$/);
    expect(app?.depends_on).toEqual({ redis: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
    expect(redis?.healthcheck).toBeDefined();
    expect(postgres?.healthcheck).toBeDefined();
  });

  it('the example workflow runs commands steward has, on a schedule, against shared stores', () => {
    const workflow = yamlOf('github-actions-triage.yml') as { on: { schedule: { cron: string }[] }; jobs: { triage: { env: Record<string, string>; steps: { run?: string }[] } } };
    expect(workflow.on.schedule[0]?.cron).toBe('*/30 * * * *');
    expect(Object.keys(workflow.jobs.triage.env)).toEqual(expect.arrayContaining(['REDIS_URL', 'DATABASE_URL', 'GITHUB_TOKEN']));
    const calls = workflow.jobs.triage.steps.flatMap((s) =>
      [...(s.run ?? '').matchAll(/steward\.js ([a-z ]+?) (--[a-z-]+)/g)].map((m) => [m[1]!.trim().split(' '), m[2]!] as const),
    );
    expect(calls.map(([command]) => command.join(' '))).toEqual(['triage', 'review sync']);
    for (const [command, flag] of calls) expect(optionsOf(...command)).toContain(flag);
  });
});
