import { messageOf } from '../../../orchestrator/core/errors.ts';
import { tool } from '@langchain/core/tools';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import type { FixRequest } from '../types.ts';
import type { Workspace } from '../workspace.ts';

const MAX_READ = 24 * 1024;

function listFiles(root: string, dir = root, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.git' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(root, path, out);
    else if (entry.isFile()) out.push(relative(root, path));
  }
  return out.sort();
}

/** An error a tool reports to the model as its answer: the loop goes on. */
function guarded<A>(fn: (args: A) => Promise<string> | string): (args: A) => Promise<string> {
  return async (args) => {
    try {
      return await fn(args);
    } catch (error) {
      return `error: ${messageOf(error)}`;
    }
  };
}

/**
 * The model's tools, confined to the working copy: every path goes through the
 * workspace's resolver (no `..`, no absolute path, no symlink out, no `.git`).
 */
export function fixerTools(ws: Workspace, request: FixRequest, done: { rationale?: string; files: Record<string, string> }) {
  return [
    tool(
      guarded(() => listFiles(ws.dir).join('\n')),
      { name: 'list_files', description: "The plugin's files, relative to its root.", schema: z.object({}) },
    ),
    tool(
      guarded(({ path, startLine, endLine }: { path: string; startLine?: number | undefined; endLine?: number | undefined }) => {
        const lines = ws.read(path).split('\n');
        const from = Math.max(1, startLine ?? 1);
        const text = lines
          .slice(from - 1, endLine ?? lines.length)
          .map((line, i) => `${from + i}: ${line}`)
          .join('\n');
        return text.length > MAX_READ ? `${text.slice(0, MAX_READ)}\n… (cut at ${MAX_READ} characters: read a line range)` : text;
      }),
      {
        name: 'read_file',
        description: 'A file with line numbers; optionally a line range.',
        schema: z.object({ path: z.string(), startLine: z.number().int().optional(), endLine: z.number().int().optional() }),
      },
    ),
    tool(
      guarded(({ pattern }: { pattern: string }) => {
        const found: string[] = [];
        for (const file of listFiles(ws.dir)) {
          if (statSync(join(ws.dir, file)).size > 512 * 1024) continue;
          ws.read(file)
            .split('\n')
            .forEach((line, i) => {
              if (line.includes(pattern) && found.length < 100) found.push(`${file}:${i + 1}: ${line.trim().slice(0, 200)}`);
            });
        }
        return found.length > 0 ? found.join('\n') : 'no match';
      }),
      { name: 'search', description: 'Lines containing a text, across the plugin.', schema: z.object({ pattern: z.string().min(1) }) },
    ),
    tool(
      guarded(({ path, oldText, newText }: { path: string; oldText: string; newText: string }) => {
        const text = ws.read(path);
        const at = text.indexOf(oldText);
        if (at < 0) return 'error: oldText is not in the file; read it again';
        if (text.indexOf(oldText, at + 1) >= 0) return 'error: oldText occurs more than once; give more context';
        const next = text.slice(0, at) + newText + text.slice(at + oldText.length);
        ws.write(path, next);
        // The candidate is what the model wrote through this tool, never what a sandbox run left on disk.
        done.files[path] = next;
        return `edited ${path}`;
      }),
      {
        name: 'edit_file',
        description: 'Replace one exact occurrence of oldText with newText.',
        schema: z.object({ path: z.string(), oldText: z.string().min(1), newText: z.string() }),
      },
    ),
    tool(
      guarded(async () => {
        const r = await request.reproduce(ws.copy);
        return r.passes ? `the reproduction passes now. ${r.detail}` : `the reproduction still fails: ${r.detail}`;
      }),
      { name: 'run_reproduction', description: 'Runs the captured call against your changed copy, in the sandbox.', schema: z.object({}) },
    ),
    tool(
      guarded(async () => {
        const r = await request.runTests(ws.copy);
        return `tests ${r.status}: ${r.passed} passed, ${r.failed} failed. ${r.detail}`.trim();
      }),
      { name: 'run_tests', description: "Runs the plugin's own test suite against your changed copy, in the sandbox.", schema: z.object({}) },
    ),
    tool(
      ({ rationale }: { rationale: string }) => {
        done.rationale = rationale;
        return 'noted: the change will be validated';
      },
      { name: 'finish', description: 'Call once your change fixes the root cause: say why, naming the file and line.', schema: z.object({ rationale: z.string().min(1) }) },
    ),
  ];
}
