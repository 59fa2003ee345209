#!/usr/bin/env node
// The `steward` command: steward compiled to JavaScript in dist/ by `npm run build`
// (which `.ci/setup` and `npm test` run), so a command starts without a TypeScript
// loader. STEWARD_FROM_SOURCE=1 runs the sources through tsx instead, for development.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const stamp = join(root, 'dist', '.built-at');

/** The newest modification time among the TypeScript sources the build is made from. */
function newestSource() {
  let newest = 0;
  const pending = ['orchestrator', 'agents', join('evals', 'harness')].map((dir) => join(root, dir));
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (/\.(ts|mjs|py|lua)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function refuse(why) {
  process.stderr.write(`steward: error E_NOT_BUILT: ${why}\n  hint: run "npm run build" (or set STEWARD_FROM_SOURCE=1 to run the sources through tsx)\n`);
  process.exit(2);
}

if (process.env.STEWARD_FROM_SOURCE === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await (await import('./main.ts')).run(process.argv.slice(2));
} else {
  if (!existsSync(stamp)) refuse('steward is not built: dist/ has no build');
  if (newestSource() > statSync(stamp).mtimeMs) refuse('the build in dist/ is older than the sources');
  await (await import(join(root, 'dist', 'orchestrator', 'cli', 'main.js'))).run(process.argv.slice(2));
}
