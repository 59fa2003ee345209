import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StewardError } from '../../orchestrator/core/errors.ts';
import { loadConfig, parseConfig, writeDefaultConfig } from '../../orchestrator/library/config.ts';
import { findLibraryRoot, openLibrary } from '../../orchestrator/library/library.ts';
import { staleSchemas, renderSchemas } from '../../orchestrator/cli/schema-files.ts';
import { tempDir } from '../helpers/temp.ts';

function configError(body: unknown): StewardError {
  const root = tempDir();
  writeFileSync(join(root, 'steward.config.json'), JSON.stringify(body));
  try {
    loadConfig(root);
  } catch (error) {
    return error as StewardError;
  }
  throw new Error('expected the config to be rejected');
}

describe('library config', () => {
  it('defaults every field', () => {
    expect(loadConfig(tempDir())).toEqual({
      pluginsDir: 'plugins',
      templatesDir: 'templates',
      playbooksDir: 'playbooks',
      stateDir: '.steward',
      defaultPlaybook: 'default',
      historyLimit: 20,
      ingest: { threshold: { events: 10, windowSeconds: 3600 }, sampleSize: 10, dedupeSeconds: 3600, sentryProjects: {}, hostCaptures: { perMinute: 600, burst: 100 } },
      traffic: { enabled: true, sampleSize: 200, maxInputBytes: 65_536 },
      manager: {
        schedule: '*/10 * * * *',
        healthMaxAgeMinutes: 1440,
        prConcurrentLimit: 5,
        prHourlyLimit: 2,
        tokenBudget: { perRun: 200_000, daily: 2_000_000 },
        stopAfter: 'propose',
        dashboard: true,
      },
      fixer: 'offline',
      model: null,
      tracker: 'local',
      commitAuthor: { name: 'steward', email: 'steward@localhost' },
      retention: { deadLetterDays: 14, resolvedGroupDays: 90, finishedRunDays: 30, schedule: '17 3 * * *' },
      redis: { maxMemoryMb: 1024 },
      workers: { ingestConcurrency: 16, runConcurrency: 2, runLockSeconds: 30, maxResumes: 3 },
      plugins: {},
    });
  });

  it('names the file and the path of a bad value', () => {
    const error = configError({ stateDir: '../elsewhere' });
    expect(error.code).toBe('E_CONFIG_INVALID');
    expect(error.format()).toMatch(/^steward\.config\.json: \$\.stateDir: /);
    expect(configError({ pluginDir: 'x' }).format()).toContain('$.pluginDir: unknown field "pluginDir"');
    expect(configError({ historyLimit: 0 }).details.path).toBe('$.historyLimit');
    expect(configError({ commitAuthor: { name: 'bot', email: 'not an address' } }).format()).toMatch(/\$\.commitAuthor\.email: is not an email address/);
    expect(configError({ pluginsDir: '/abs' }).details.path).toBe('$.pluginsDir');
    expect(configError({ manager: { schedule: 'every ten minutes' } }).format()).toMatch(/\$\.manager\.schedule: not a cron expression/);
    expect(configError({ tracker: 'github' }).format()).toContain('$.github: the github tracker needs its repository: "github": { "owner": …, "repo": … }');
    expect(configError({ tracker: 'github', github: { owner: 'acme', repo: 'lib', token: 'ghp_x' } }).format()).toContain('$.github.token: unknown field "token"');
    expect(configError({ tracker: 'github', github: { owner: 'acme', repo: 'lib', tokenEnv: 'ghp_abc' } }).details.path).toBe('$.github.tokenEnv');
    expect(configError({ tracker: 'github', github: { owner: 'acme', repo: 'lib', baseUrl: 'http://ghe.example.com/api/v3' } }).format()).toContain(
      '$.github.baseUrl: an https:// URL (http:// only for a server on this machine)',
    );
    expect(parseConfig({ tracker: 'github', github: { owner: 'acme', repo: 'lib', baseUrl: 'http://127.0.0.1:8080' } }, 'f').github?.baseUrl).toBe('http://127.0.0.1:8080');
    expect(configError({ fixer: 'command' }).format()).toContain('$.command: the command fixer needs its CLI');
    expect(configError({ fixer: 'command', command: { argv: ['gemini'], env: ['GEMINI_API_KEY', 'GITHUB_TOKEN'] } }).format()).toContain(
      "$.command.env: the tracker's token never reaches a sandbox",
    );
    expect(configError({ fixer: 'command', command: { argv: ['aider'], binds: ['/opt/../etc'] } }).details.path).toBe('$.command.binds[0]');
    expect(parseConfig({ fixer: 'command', command: { argv: ['gemini', '-p', '{prompt}'] } }, 'f').command).toEqual({
      argv: ['gemini', '-p', '{prompt}'],
      env: [],
      binds: [],
      network: true,
      wallSeconds: 900,
      memoryMb: 4096,
    });
    expect(parseConfig({ tracker: 'github', github: { owner: 'acme', repo: 'lib' } }, 'f').github).toEqual({
      owner: 'acme',
      repo: 'lib',
      baseUrl: 'https://api.github.com',
      tokenEnv: 'GITHUB_TOKEN',
      baseBranch: 'main',
      label: 'steward',
      writeIntervalMs: 1000,
      maxRetries: 4,
      maxWaitSeconds: 900,
      approveLabel: 'steward:approve',
      rejectLabel: 'steward:reject',
      webhookSecretEnv: 'GITHUB_WEBHOOK_SECRET',
      syncSchedule: '*/10 * * * *',
    });
    expect(configError({ tracker: 'github', github: { owner: 'acme', repo: 'lib', syncSchedule: 'every ten minutes' } }).format()).toMatch(
      /\$\.github\.syncSchedule: not a cron expression/,
    );
    // The key itself never goes in the config: only the file that holds it.
    expect(configError({ tracker: 'github', github: { owner: 'acme', repo: 'lib', app: { appId: 1, installationId: 2, privateKey: '-----BEGIN' } } }).format()).toContain(
      '$.github.app.privateKey: unknown field "privateKey"',
    );
  });

  it('init writes the defaults once and refuses to overwrite', () => {
    const root = tempDir();
    writeDefaultConfig(root, { pluginsDir: 'libs' });
    expect(JSON.parse(readFileSync(join(root, 'steward.config.json'), 'utf8')).pluginsDir).toBe('libs');
    expect(() => writeDefaultConfig(root)).toThrow(/already exists/);
  });

  it('finds the library root from a directory inside it, and follows the config', () => {
    const root = tempDir();
    writeFileSync(join(root, 'steward.config.json'), JSON.stringify({ pluginsDir: 'libs/plugins' }));
    mkdirSync(join(root, 'libs', 'plugins', 'a', 'src'), { recursive: true });
    const library = openLibrary({ cwd: join(root, 'libs', 'plugins', 'a', 'src') });
    expect(library.paths.plugins).toBe(join(library.root, 'libs', 'plugins'));
    expect(library.hasConfigFile).toBe(true);
  });

  it('says how to start when there is no library', () => {
    const error = (() => {
      try {
        findLibraryRoot(tempDir());
      } catch (e) {
        return e as StewardError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('E_NOT_A_LIBRARY');
    expect(error?.details.hint).toContain('steward init');
  });
});

describe('generated JSON Schemas', () => {
  it('are committed and match the zod schemas', () => {
    expect(staleSchemas()).toEqual([]);
  });

  it('describe the unknown-field rule and the required fields of the manifest', () => {
    const manifest = JSON.parse(renderSchemas().get('plugin.schema.json') ?? '{}') as { additionalProperties: boolean; required: string[] };
    expect(manifest.additionalProperties).toBe(false);
    expect(manifest.required.sort()).toEqual(['description', 'entry', 'name', 'runtime', 'test', 'version']);
    expect(existsSync(join(import.meta.dirname, '../../docs/specs/plugin.schema.json'))).toBe(true);
  });
});

describe('a config error', () => {
  it('names its JSON path once, then what is wrong, then any other problems', () => {
    const error = configError({ historyLimit: 0, pluginsDir: '/abs' });
    const text = error.format();
    expect(text.split('$.historyLimit').length - 1).toBe(1);
    expect(text.split('$.pluginsDir').length - 1).toBe(1);
    expect(text).toMatch(/^steward\.config\.json: \$\.\w+: [^$]+ \(and 1 more: \$\.\w+: /);
  });
});
