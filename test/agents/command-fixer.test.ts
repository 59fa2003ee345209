import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandFixer, type CommandSettings } from '../../agents/fixers/command/index.ts';
import type { FixRequest } from '../../agents/fixers/types.ts';
import { fixersFor } from '../../agents/fixers/registry.ts';
import { loadManifest } from '../../orchestrator/library/manifest.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * The command fixer's refusals, on the real csv-import plugin and the stand-in CLI;
 * the agent graph's use of it is tested in plugin-agent.test.ts.
 */
const cliDir = join(STEWARD_ROOT, 'test/fixtures/coding-agent');
const settings: CommandSettings = {
  argv: ['node', join(cliDir, 'stand-in-cli.mjs'), '{promptFile}'],
  env: ['STAND_IN_MODE', 'AGENT_API_KEY'],
  binds: [cliDir],
  network: false,
  wallSeconds: 60,
  memoryMb: 2048,
};

function request(): { request: FixRequest; events: { kind: string; data: Record<string, unknown> }[] } {
  const dir = join(STEWARD_ROOT, 'plugins', 'csv-import');
  const events: { kind: string; data: Record<string, unknown> }[] = [];
  const fix = {
    plugin: 'csv-import',
    dir,
    manifest: loadManifest(dir, 'csv-import/plugin.json'),
    context: {
      error: { count: 3, type: 'TypeError', message: "Cannot read properties of undefined (reading 'trim')", versions: ['1.4.0'] },
      stack: 'at src/records.js:52',
      agentMd: 'notes',
      source: [],
    },
    reproduction: { request: { op: 'execute', input: {} }, error: { type: 'TypeError', message: 'x' } },
    suspects: [],
    playbook: '# playbook',
    budget: {},
    signal: new AbortController().signal,
    emit: (kind: string, data: unknown) => void events.push({ kind, data: data as Record<string, unknown> }),
    spendTokens: () => undefined,
    reproduce: () => Promise.reject(new Error('not used')),
    runTests: () => Promise.reject(new Error('not used')),
  };
  return { request: fix as unknown as FixRequest, events };
}

const stopped = (events: { kind: string; data: Record<string, unknown> }[]) => events.filter((e) => e.kind === 'fixer-stopped').map((e) => e.data.why);

describe('the command fixer refuses', () => {
  it('a change that carries the value of a variable it was given', async () => {
    const key = 'sk-in-a-file-0123456789';
    const { request: fix, events } = request();
    const candidates = await new CommandFixer(settings, { STAND_IN_MODE: 'leak', AGENT_API_KEY: key }).propose(fix);
    expect(candidates).toEqual([]);
    expect(stopped(events)).toEqual(['node left the value of AGENT_API_KEY in a file; nothing of it is proposed']);
    expect(JSON.stringify(events)).not.toContain(key);
  });

  it("to hand the tracker's token to the CLI under any name", async () => {
    const { request: fix, events } = request();
    const env = { GITHUB_TOKEN: 'ghp_same_value_0123', AGENT_API_KEY: 'ghp_same_value_0123', STAND_IN_MODE: 'fix' };
    const [fixer] = fixersFor({ fixer: 'command', model: null, command: settings }, { env });
    expect(await fixer?.propose(fix)).toEqual([]);
    expect(stopped(events)).toEqual(["command.env names AGENT_API_KEY, which holds the tracker's token: it never reaches a sandbox"]);
    expect(events.some((e) => e.kind === 'command-finished')).toBe(false);
  });

  it('to run without bubblewrap, where the CLI would see the host', async () => {
    const { request: fix, events } = request();
    // A PATH with git (the workspace needs it) and no bwrap.
    const bin = tempDir();
    symlinkSync(execFileSync('which', ['git'], { encoding: 'utf8' }).trim(), join(bin, 'git'));
    const path = process.env.PATH;
    process.env.PATH = bin;
    try {
      expect(await new CommandFixer(settings, { STAND_IN_MODE: 'fix' }).propose(fix)).toEqual([]);
    } finally {
      process.env.PATH = path;
    }
    expect(stopped(events)).toEqual([expect.stringMatching(/^node ended spawn-error: sandbox backend "bubblewrap" is not available on this machine/)]);
  });

  it("nothing when all is well: the stand-in's fix is the one candidate, its time the shorter of the playbook's and the config's", async () => {
    const { request: fix, events } = request();
    fix.budget.wallSeconds = 3600;
    const [candidate] = await new CommandFixer(settings, { STAND_IN_MODE: 'fix' }).propose(fix);
    expect(Object.keys(candidate?.files ?? {})).toEqual(['src/records.js']);
    expect(candidate?.files['src/records.js']).toContain("const value = fields[c] ?? '';");
    expect(events.find((e) => e.kind === 'command-finished')?.data).toMatchObject({ status: 'ok', network: 'off', wallSeconds: 60 });
  });
});
