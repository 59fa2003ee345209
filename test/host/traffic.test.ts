import { EventEmitter, once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginHost } from '../../orchestrator/host/host.ts';
import { TrafficStore, type TrafficOutcome } from '../../orchestrator/ingest/traffic.ts';
import { connect } from '../../orchestrator/redis/connection.ts';
import { makeLibrary } from '../helpers/git.ts';
import { dumpRedis } from '../helpers/ingest.ts';
import { manifestFor, writePlugin } from '../helpers/plugins.ts';
import { startTestRedis } from '../helpers/redis.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const SECRET = 'declared-traffic-secret-7d31';

/** A real host over real Redis, whose traffic store says when each sample is recorded. */
async function hostWithTraffic(): Promise<{ host: PluginHost; traffic: TrafficStore; recorded: EventEmitter; target: Awaited<ReturnType<typeof startTestRedis>>['target'] }> {
  const library = await makeLibrary();
  const dir = join(library.paths.plugins, 'greeter');
  writePlugin(dir, 'greeter', { manifest: manifestFor('greeter', { version: '2.3.0', env: [{ name: 'GREETER_API_KEY', required: true, secret: true }] }) });
  writeFileSync(
    join(dir, 'src/index.js'),
    "export default { name: 'greeter', execute(input, ctx) { if (input.fail) throw new Error(`refused ${input.text}`); return { text: `hello ${input.text}`, via: ctx.env.GREETER_API_KEY }; } };\n",
  );
  const { target } = await startTestRedis(library.paths.state);
  const redis = connect(target, 'test-host-traffic');
  const traffic = new TrafficStore(redis);
  const recorded = new EventEmitter();
  const host = new PluginHost({
    library,
    env: { GREETER_API_KEY: SECRET },
    sink: { capture: () => undefined },
    traffic: {
      record: async (sample, secrets) => {
        const outcome = await traffic.record(sample, secrets);
        recorded.emit('sample', outcome);
        return outcome;
      },
    },
  });
  host.load();
  cleanups.push(async () => {
    await host.close();
    redis.disconnect();
  });
  return { host, traffic, recorded, target };
}

describe('the plugin host samples its traffic', () => {
  it('records a successful call with its manifest version, scrubbed of the declared secret, and not a failing one', async () => {
    const { host, traffic, recorded, target } = await hostWithTraffic();
    const failed = await host.invoke('greeter', { text: 'no', fail: true });
    expect(failed?.ok).toBe(false);
    const outcomes: TrafficOutcome[] = [];
    recorded.on('sample', (outcome: TrafficOutcome) => outcomes.push(outcome));

    const sampled = once(recorded, 'sample');
    const answer = await host.invoke('greeter', { text: `world, key ${SECRET}` });
    // The caller has its answer before the sample is taken: sampling is off the call's path.
    expect(outcomes).toEqual([]);
    expect(answer).toMatchObject({ ok: true, output: { text: 'hello world, key [redacted]', via: '[redacted]' } });
    expect(await sampled).toEqual(['kept']);

    // Samples are taken in call order, so the failed call, had it been offered, would be in by now.
    expect(await traffic.versions('greeter')).toEqual([{ version: '2.3.0', kept: 1, seen: 1 }]);
    expect(await traffic.list('greeter', '2.3.0')).toEqual([
      { input: { text: 'world, key [redacted]' }, output: { text: 'hello world, key [redacted]', via: '[redacted]' }, at: expect.any(String) as string },
    ]);
    expect(await dumpRedis(target)).not.toContain(SECRET);
  });

  it('answers its calls when the traffic store fails, and says so in its log once', async () => {
    const library = await makeLibrary();
    writePlugin(join(library.paths.plugins, 'echo'), 'echo');
    const failures = new EventEmitter();
    const warnings: string[] = [];
    const logger = { warn: (_data: unknown, message: string) => warnings.push(message), info: () => undefined, error: () => undefined };
    const host = new PluginHost({
      library,
      env: {},
      sink: { capture: () => undefined },
      logger: logger as unknown as NonNullable<ConstructorParameters<typeof PluginHost>[0]['logger']>,
      traffic: {
        record: () => {
          // After this rejection settles, the host has logged it (or not).
          setImmediate(() => failures.emit('failed'));
          return Promise.reject(new Error('Connection is closed.'));
        },
      },
    });
    host.load();
    cleanups.push(() => host.close());
    for (let i = 0; i < 3; i++) {
      const failed = once(failures, 'failed');
      expect(await host.invoke('echo', { text: `call ${i}` })).toMatchObject({ ok: true, output: { text: `call ${i}` } });
      await failed;
    }
    expect(warnings.filter((w) => w.startsWith('traffic sampling failed'))).toHaveLength(1);
  });
});
