// RFC 4180 tokenizer with the relaxations real exports need: LF or CRLF line
// endings, a UTF-8 BOM from Excel, quotes that appear mid-field (kept literally)
// and newlines inside quoted fields.

export class CsvError extends Error {
  constructor(message, line) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
    this.line = line;
  }
}

/**
 * Splits CSV text into rows of raw field strings.
 * Each row remembers the physical line it started on so that warnings and
 * errors can point a human at the right place in a 200k-line export.
 */
export function parseRows(text, { delimiter = ',', quote = '"' } = {}) {
  const rows = [];
  let row = [];
  let field = '';
  let inQuotes = false;
  let touched = false; // the current row has consumed at least one character
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  while (i < text.length) {
    const ch = text[i];

    if (inQuotes) {
      if (ch === quote) {
        if (text[i + 1] === quote) {
          field += quote;
          i += 2;
          continue;
        }
        inQuotes = false;
        i += 1;
        continue;
      }
      if (ch === '\n') line += 1;
      field += ch;
      i += 1;
      continue;
    }

    if (ch === quote && field.length === 0) {
      inQuotes = true;
      touched = true;
      i += 1;
      continue;
    }
    if (ch === delimiter) {
      row.push(field);
      field = '';
      touched = true;
      i += 1;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      row.push(field);
      rows.push({ line: rowLine, fields: row });
      row = [];
      field = '';
      touched = false;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line += 1;
      rowLine = line;
      continue;
    }
    field += ch;
    touched = true;
    i += 1;
  }

  if (inQuotes) throw new CsvError('unterminated quoted field', rowLine);
  // A trailing newline ends the last row; it does not start an empty one.
  if (touched) {
    row.push(field);
    rows.push({ line: rowLine, fields: row });
  }
  return rows;
}
