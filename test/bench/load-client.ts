/**
 * The load generator of the host benchmark, in its own process so that it does not
 * share an event loop with the host it measures. Prints one JSON line of results.
 */
import { Agent, request } from 'node:http';

const [url, method, body, concurrency, seconds] = process.argv.slice(2);
const target = new URL(url ?? '');
const agent = new Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const latencies: number[] = [];
const statuses: Record<number, number> = {};
const deadline = Date.now() + Number(seconds) * 1000;
const headers: Record<string, string> = {
  ...(body ? { 'content-type': 'application/json' } : {}),
  ...(process.env.BENCH_HOST_TOKEN ? { authorization: `Bearer ${process.env.BENCH_HOST_TOKEN}` } : {}),
};

function once(): Promise<void> {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const req = request(target, { method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
        statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
        resolve();
      });
    });
    req.on('error', () => {
      statuses[0] = (statuses[0] ?? 0) + 1;
      resolve();
    });
    req.end(body || undefined);
  });
}

async function worker(): Promise<void> {
  while (Date.now() < deadline) await once();
}

const started = Date.now();
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
const sorted = latencies.sort((a, b) => a - b);
const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
process.stdout.write(`${JSON.stringify({ requests: sorted.length, perSecond: sorted.length / ((Date.now() - started) / 1000), p50: at(0.5), p99: at(0.99), statuses })}\n`);
agent.destroy();
