import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Capture } from '../ingest/capture.ts';
import type { PluginHost } from './host.ts';

/**
 * The host's Prometheus metrics, read from the host and the capture SDK when scraped:
 * nothing is counted twice and a call pays nothing for being measured.
 */
export function hostMetrics(host: PluginHost, capture?: Capture): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'steward_process_' });
  new Gauge({
    name: 'steward_host_invocations',
    help: 'Plugin invocations since the host started, by plugin and outcome.',
    labelNames: ['plugin', 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const plugin of host.list()) {
        const m = plugin.metrics;
        for (const [outcome, value] of [
          ['success', m.successes],
          ['error', m.errors],
          ['timeout', m.timeouts],
          ['crash', m.crashes],
        ] as const) {
          this.set({ plugin: plugin.name, outcome }, value);
        }
      }
    },
  });
  new Gauge({
    name: 'steward_host_captures_limited',
    help: 'Failures not captured because the plugin was over its capture rate.',
    labelNames: ['plugin'],
    registers: [registry],
    collect() {
      this.reset();
      for (const plugin of host.list()) this.set({ plugin: plugin.name }, plugin.metrics.capturesLimited);
    },
  });
  if (capture) {
    new Gauge({
      name: 'steward_capture_events',
      help: 'Error events of the capture SDK: sent to the queue, waiting in its buffer, or dropped (by reason).',
      labelNames: ['state', 'reason'],
      registers: [registry],
      collect() {
        const stats = capture.getStats();
        this.reset();
        this.set({ state: 'sent', reason: '' }, stats.sent);
        this.set({ state: 'buffered', reason: '' }, stats.buffered);
        for (const [reason, count] of Object.entries(stats.droppedBy)) this.set({ state: 'dropped', reason }, count);
      },
    });
  }
  return registry;
}
