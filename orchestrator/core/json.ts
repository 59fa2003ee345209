import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { ErrorCode } from './errors.ts';
import { StewardError } from './errors.ts';

export interface Problem {
  /** JSON path of the offending value, `$` for the document itself. */
  path: string;
  message: string;
}

function jsonPath(segments: readonly PropertyKey[]): string {
  let out = '$';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** zod issues as problems with a JSON path each; an unknown key is reported at its own path. */
export function problemsFromZod(error: z.ZodError): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ path: jsonPath([...issue.path, key]), message: `unknown field "${key}"` });
      }
      continue;
    }
    problems.push({ path: jsonPath(issue.path), message: issue.message });
  }
  return problems;
}

/** Line and column of a character offset, for syntax errors people can find. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const where = position?.[1] ? lineAndColumn(text, Number(position[1])) : undefined;
    throw new StewardError('E_JSON_SYNTAX', `not valid JSON${where ? ` at line ${where.line}, column ${where.column}` : ''}: ${message}`, { file });
  }
}

export function readJsonFile(file: string, displayName: string = file): unknown {
  return parseJsonText(readFileSync(file, 'utf8'), displayName);
}

/**
 * A JSON file one command wrote and another reads, parsed with the writer's schema:
 * a damaged or foreign file is one clear error that names it and the JSON path.
 */
export function readJsonWith<S extends z.ZodType>(schema: S, file: string, options: { display?: string; code?: ErrorCode; hint?: string } = {}): z.output<S> {
  const display = options.display ?? file;
  const result = schema.safeParse(readJsonFile(file, display));
  if (!result.success) {
    const [first] = problemsFromZod(result.error);
    throw new StewardError(options.code ?? 'E_STATE_CORRUPT', first?.message ?? 'invalid', {
      file: display,
      path: first?.path ?? '$',
      hint: options.hint ?? 'the file was changed by hand or by another version of steward; restore it or move it aside',
    });
  }
  return result.data;
}
