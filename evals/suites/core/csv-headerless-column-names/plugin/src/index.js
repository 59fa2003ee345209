import { parseRows } from './parse.js';
import { toRecords } from './records.js';

const DEFAULTS = { delimiter: ',', header: true, trim: true, skipEmptyLines: true };

function resolveOptions(options = {}) {
  const resolved = { ...DEFAULTS, ...options };
  if (resolved.delimiter === '"') {
    // The quote character cannot double as the delimiter; the grammar becomes ambiguous.
    throw new RangeError('delimiter must not be the quote character');
  }
  if (resolved.delimiter === '\\t') resolved.delimiter = '\t'; // JSON configs often carry the escaped form
  return resolved;
}

const plugin = {
  name: 'csv-import',

  execute(input, ctx) {
    const options = resolveOptions(input.options);
    if (ctx.signal?.aborted) throw new Error('aborted before parsing');

    const rows = parseRows(input.text, { delimiter: options.delimiter });
    const result = toRecords(rows, options);

    ctx.log?.debug?.({ rows: rows.length, columns: result.columns.length }, 'csv parsed');
    for (const warning of result.warnings) ctx.log?.warn?.(warning);

    return {
      columns: result.columns,
      records: result.records,
      rowCount: result.records.length,
      skippedLines: result.skippedLines,
      warnings: result.warnings,
    };
  },

  help() {
    return [
      'csv-import: parse CSV text into records.',
      'input:  { text: string, options?: { delimiter, header, columns, trim, skipEmptyLines } }',
      'output: { columns, records, rowCount, skippedLines, warnings }',
      'Defaults: delimiter ",", header true, trim true, skipEmptyLines true.',
    ].join('\n');
  },
};

export default plugin;
