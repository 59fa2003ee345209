import type { PluginState } from './types.ts';

const WINDOW = 1024;

export interface StateChange {
  state: PluginState;
  at: string;
  reason?: string;
}

export interface MetricsSnapshot {
  successes: number;
  errors: number;
  timeouts: number;
  crashes: number;
  /** Failures not captured because the plugin was over its capture rate. */
  capturesLimited: number;
  p50Ms: number | null;
  p95Ms: number | null;
  lastUsed: string | null;
  uptimeMs: number;
}

/** Per-plugin counters and the durations of the last 1,024 calls, for percentiles. */
export class PluginMetrics {
  successes = 0;
  errors = 0;
  timeouts = 0;
  crashes = 0;
  capturesLimited = 0;
  lastUsed: string | null = null;
  private readonly durations = new Float64Array(WINDOW);
  private count = 0;
  private readonly since = Date.now();

  record(durationMs: number, kind: 'success' | 'error' | 'timeout' | 'crash'): void {
    this.durations[this.count % WINDOW] = durationMs;
    this.count++;
    this.lastUsed = new Date().toISOString();
    if (kind === 'success') this.successes++;
    else if (kind === 'timeout') this.timeouts++;
    else if (kind === 'crash') this.crashes++;
    else this.errors++;
  }

  private percentile(q: number): number | null {
    const n = Math.min(this.count, WINDOW);
    if (n === 0) return null;
    const sorted = Array.from(this.durations.subarray(0, n)).sort((a, b) => a - b);
    return sorted[Math.min(n - 1, Math.floor(q * n))] ?? null;
  }

  snapshot(): MetricsSnapshot {
    return {
      successes: this.successes,
      errors: this.errors,
      timeouts: this.timeouts,
      crashes: this.crashes,
      capturesLimited: this.capturesLimited,
      p50Ms: this.percentile(0.5),
      p95Ms: this.percentile(0.95),
      lastUsed: this.lastUsed,
      uptimeMs: Date.now() - this.since,
    };
  }
}
