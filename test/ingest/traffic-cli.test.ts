import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrafficStore } from '../../orchestrator/ingest/traffic.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { steward } from '../helpers/cli.ts';
import { makeLibrary } from '../helpers/git.ts';
import { writePlugin } from '../helpers/plugins.ts';
import { startTestRedis } from '../helpers/redis.ts';

interface Shown {
  version: number;
  plugin: string;
  versions: { version: string; kept: number; seen: number; samples: { input: unknown; output: unknown; at: string }[] }[];
}

describe('steward traffic', () => {
  it('shows the kept calls per version, as a table or with the samples in JSON, and clears them', async () => {
    const library = await makeLibrary();
    writePlugin(join(library.paths.plugins, 'echo'), 'echo');
    const { target } = await startTestRedis(library.paths.state);
    const redis = connect(target, 'test-traffic-cli');
    try {
      const traffic = new TrafficStore(redis, { sampleSize: 2 });
      for (let i = 0; i < 3; i++) await traffic.record({ plugin: 'echo', version: '1.1.0', input: { text: `call ${i}` }, output: { text: `call ${i}` } });
      await traffic.record({ plugin: 'echo', version: '1.0.0', input: { text: 'old' }, output: { text: 'old' }, at: '2026-01-01T00:00:00.000Z' });
      // A plugin since removed from the library, whose traffic is still kept.
      await traffic.record({ plugin: 'retired', version: '0.9.0', input: {}, output: {} });
      // A call the full reservoir skips is counted in this process and reaches Redis within a second: a reader elsewhere sees it after the flush.
      await traffic.flush();
      const cli = (...args: string[]) => steward(['--library', library.root, 'traffic', ...args]);

      const table = cli('show', 'echo');
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toMatch(/^VERSION\s+KEPT\s+SEEN\n1\.1\.0\s+2\s+3\n1\.0\.0\s+1\s+1\n/);

      const json = JSON.parse(cli('show', 'echo', '--json').stdout) as Shown;
      expect(json.plugin).toBe('echo');
      expect(json.versions.map((v) => [v.version, v.kept, v.seen, v.samples.length])).toEqual([
        ['1.1.0', 2, 3, 2],
        ['1.0.0', 1, 1, 1],
      ]);
      const one = JSON.parse(cli('show', 'echo', '--version', '1.0.0', '--json').stdout) as Shown;
      expect(one.versions).toEqual([{ version: '1.0.0', kept: 1, seen: 1, samples: [{ input: { text: 'old' }, output: { text: 'old' }, at: '2026-01-01T00:00:00.000Z' }] }]);
      expect((JSON.parse(cli('show', 'retired', '--json').stdout) as Shown).versions).toHaveLength(1);

      const badVersion = cli('show', 'echo', '--version', 'latest');
      expect(badVersion.code).toBe(2);
      expect(badVersion.stderr).toBe('steward: error E_USAGE: --version must be a semver version such as 1.4.2, got "latest"\n');
      const unknown = cli('show', 'nowhere');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/^steward: error E_PLUGIN_UNKNOWN: no plugin "nowhere"/);
      expect(cli('show', 'Not/A/Name').stderr).toMatch(/^steward: error E_PLUGIN_NAME: /);
      expect(cli('show').code).toBe(2);

      expect(JSON.parse(cli('clear', 'echo', '--json').stdout)).toEqual({ version: 1, plugin: 'echo', removedKeys: 3 });
      expect(cli('show', 'echo').stdout).toBe('no traffic kept of echo\n');
      expect(cli('clear', 'nowhere').stderr).toMatch(/^steward: error E_PLUGIN_UNKNOWN: /);
      const all = cli('clear');
      expect(all.stdout).toBe('cleared the traffic of every plugin: 2 key(s) deleted\n');
      expect(await traffic.versions('retired')).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
