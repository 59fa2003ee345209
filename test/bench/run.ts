/**
 * `npm run bench -- <name>`: runs one benchmark and prints its figures. Benchmarks
 * hold the speed and memory targets; tests never time anything.
 */
const BENCHES: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  library: () => import('./library.ts'),
  sandbox: () => import('./sandbox.ts'),
  host: () => import('./host.ts'),
  ingest: () => import('./ingest.ts'),
  triage: () => import('./triage.ts'),
  offline: () => import('./offline.ts'),
  eval: () => import('./eval.ts'),
  behaviour: () => import('./behaviour.ts'),
  batch: () => import('./batch.ts'),
  soak: () => import('./soak.ts'),
};

const name = process.argv[2];
const bench = name ? BENCHES[name] : undefined;
if (!bench) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}>\n`);
  process.exit(2);
}
await (await bench()).run();
