import { appendFileSync, existsSync, mkdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Library } from '../library/library.ts';

/** A run's raw output (sandbox stdout and stderr, model replies), beside its structured events. */
function outputFile(library: Library, run: string): string {
  return join(library.paths.state, 'runs', `${run}.log`);
}

export function appendOutput(library: Library, run: string, text: string): void {
  mkdirSync(join(library.paths.state, 'runs'), { recursive: true });
  appendFileSync(outputFile(library, run), text.endsWith('\n') ? text : `${text}\n`);
}

/** The output from byte `from` on, and where the next read starts. */
export function readOutput(library: Library, run: string, from = 0): { text: string; next: number } {
  const file = outputFile(library, run);
  if (!existsSync(file)) return { text: '', next: from };
  const size = statSync(file).size;
  if (size <= from) return { text: '', next: from };
  const buffer = Buffer.alloc(size - from);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  return { text: buffer.toString('utf8'), next: size };
}
