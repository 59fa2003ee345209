import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STEWARD_ROOT, makeLibrary } from '../helpers/git.ts';
import { startTestRedis } from '../helpers/redis.ts';

const saved = process.env.STEWARD_LIBRARY;
afterEach(() => {
  if (saved === undefined) delete process.env.STEWARD_LIBRARY;
  else process.env.STEWARD_LIBRARY = saved;
});

/** The node ids of a graph folder: the files under its nodes/, as LangGraph projects lay them out. */
function nodeFiles(folder: string): string[] {
  return readdirSync(join(STEWARD_ROOT, folder, 'nodes'))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
}

describe('langgraph.json', () => {
  it('names both graphs, and each factory builds its graph with one node per file under nodes/', async () => {
    const config = JSON.parse(readFileSync(join(STEWARD_ROOT, 'langgraph.json'), 'utf8')) as { graphs: Record<string, string> };
    expect(Object.keys(config.graphs).sort()).toEqual(['manager', 'plugin-agent']);
    const library = await makeLibrary();
    await startTestRedis(library.paths.state);
    process.env.STEWARD_LIBRARY = library.root;
    for (const [name, spec] of Object.entries(config.graphs)) {
      const [file = '', exported = ''] = spec.split(':');
      const module = (await import(join(STEWARD_ROOT, file))) as Record<string, () => Promise<{ getGraph(): { nodes: Record<string, unknown> } }>>;
      const graph = await module[exported]?.();
      const nodes = Object.keys(graph?.getGraph().nodes ?? {})
        .filter((id) => !id.startsWith('__'))
        .sort();
      expect(nodes, name).toEqual(nodeFiles(join('agents', name)));
    }
  }, 60_000);
});
