/** Indentation and blank lines, as the checks that read blocks by indentation see them. */

/** The width of a line's leading whitespace. */
export const indentOf = (line: string): number => line.length - line.trimStart().length;

/**
 * Whether a line holds no code: empty, or only a comment (`#` in Python, `//` else;
 * either when the language is not given).
 */
export function isBlank(line: string, python?: boolean): boolean {
  const code = line.trim();
  if (code === '') return true;
  if (python === undefined) return code.startsWith('#') || code.startsWith('//');
  return code.startsWith(python ? '#' : '//');
}
