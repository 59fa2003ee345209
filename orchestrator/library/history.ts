import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { messageOf, StewardError } from '../core/errors.ts';
import { problemsFromZod } from '../core/json.ts';

export const HISTORY_FILE = '.steward/history.jsonl';

export const historyEntrySchema = z
  .strictObject({
    at: z.iso.datetime({ offset: true }).describe('When it happened (ISO-8601).'),
    type: z.enum(['incident', 'fix', 'release', 'note']),
    summary: z.string().min(1).max(2000),
    version: z.string().optional().describe('Plugin version it concerns.'),
    group: z.string().optional().describe('Error group fingerprint.'),
    run: z.string().optional().describe('Steward run id.'),
    url: z.string().optional().describe('Issue, proposal or release link.'),
  })
  .describe("One line of a plugin's .steward/history.jsonl.");

export type HistoryEntry = z.output<typeof historyEntrySchema>;

export interface HistoryRead {
  entries: HistoryEntry[];
  /** Lines that did not parse, with their line numbers: reported, never fatal. */
  skipped: { line: number; reason: string }[];
}

export function readHistory(pluginRoot: string, limit: number): HistoryRead {
  const file = join(pluginRoot, HISTORY_FILE);
  if (!existsSync(file)) return { entries: [], skipped: [] };
  const lines = readFileSync(file, 'utf8').split('\n');
  const entries: HistoryEntry[] = [];
  const skipped: HistoryRead['skipped'] = [];
  lines.forEach((text, index) => {
    if (!text.trim()) return;
    try {
      const parsed = historyEntrySchema.safeParse(JSON.parse(text));
      if (parsed.success) entries.push(parsed.data);
      else
        skipped.push({
          line: index + 1,
          reason: problemsFromZod(parsed.error)
            .map((p) => `${p.path}: ${p.message}`)
            .join('; '),
        });
    } catch (error) {
      skipped.push({ line: index + 1, reason: messageOf(error) });
    }
  });
  // slice(-0) is the whole array: a limit of 0 asks for no entries.
  return { entries: limit > 0 ? entries.slice(-limit) : [], skipped };
}

/** Validates, then appends one line; a file missing its final newline gets one first. */
export function appendHistory(pluginRoot: string, entry: unknown, displayFile = HISTORY_FILE): HistoryEntry {
  const parsed = historyEntrySchema.safeParse(entry);
  if (!parsed.success) {
    const first = problemsFromZod(parsed.error)[0];
    throw new StewardError('E_HISTORY_INVALID', `history entry rejected: ${first?.message ?? 'invalid'}`, {
      file: displayFile,
      ...(first ? { path: first.path } : {}),
    });
  }
  const file = join(pluginRoot, HISTORY_FILE);
  mkdirSync(dirname(file), { recursive: true });
  let prefix = '';
  if (existsSync(file) && statSync(file).size > 0) {
    const fd = openSync(file, 'r');
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, statSync(file).size - 1);
    closeSync(fd);
    if (last[0] !== 10) prefix = '\n';
  }
  // One write with O_APPEND: concurrent writers interleave whole lines, not parts of them.
  appendFileSync(file, `${prefix}${JSON.stringify(parsed.data)}\n`);
  return parsed.data;
}
