import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PluginFiles {
  manifest?: Record<string, unknown>;
  agentMd?: string | null;
  files?: Record<string, string>;
}

export function manifestFor(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    version: '1.0.0',
    description: `The ${name} plugin.`,
    runtime: 'node',
    entry: 'src/index.js',
    test: { command: ['node', '--test', '--test-reporter=tap', 'test/'], format: 'tap' },
    interface: {
      input: { type: 'object', properties: { text: { type: 'string' } } },
      output: { type: 'object' },
    },
    ...overrides,
  };
}

/** A small but valid plugin directory: manifest, AGENT.md, entry and one test. */
export function writePlugin(dir: string, name: string, files: PluginFiles = {}): string {
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'test'), { recursive: true });
  writeFileSync(join(dir, 'plugin.json'), `${JSON.stringify(files.manifest ?? manifestFor(name), null, 2)}\n`);
  if (files.agentMd !== null) writeFileSync(join(dir, 'AGENT.md'), files.agentMd ?? `# ${name}\n\nTest plugin.\n`);
  writeFileSync(join(dir, 'src/index.js'), `export default { name: '${name}', execute(input) { return { text: input.text }; } };\n`);
  writeFileSync(
    join(dir, 'test/index.test.js'),
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport p from '../src/index.js';\ntest('echo', () => assert.deepEqual(p.execute({ text: 'a' }), { text: 'a' }));\n",
  );
  for (const [path, text] of Object.entries(files.files ?? {})) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
