// Turns tokenized rows into objects keyed by column name.

function isBlank(fields) {
  return fields.length === 1 && fields[0].trim() === '';
}

/**
 * Header cells from spreadsheets are messy: blank cells and repeated names are
 * common ("Amount", "Amount"). Every column still needs a distinct key or the
 * later value silently overwrites the earlier one.
 */
export function normalizeColumns(names, trim) {
  const seen = new Map();
  return names.map((raw, index) => {
    const base = (trim ? raw.trim() : raw) || `column_${index + 1}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}_${count}`;
  });
}

export function toRecords(rows, { header = true, columns: given, trim = true, skipEmptyLines = true } = {}) {
  const warnings = [];
  let skippedLines = 0;
  const body = [];
  for (const row of rows) {
    if (skipEmptyLines && isBlank(row.fields)) {
      skippedLines += 1;
      continue;
    }
    body.push(row);
  }

  let columns;
  if (given && given.length > 0) {
    columns = normalizeColumns(given, trim);
    if (header && body.length > 0) body.shift();
  } else if (header) {
    const first = body.shift();
    columns = first ? normalizeColumns(first.fields, trim) : [];
  } else {
    columns = normalizeColumns(new Array(body[0]?.fields.length ?? 0).fill(''), trim);
  }

  const records = [];
  for (const { line, fields } of body) {
    if (fields.length > columns.length) {
      warnings.push(`line ${line}: ${fields.length} fields, expected ${columns.length}; extra fields dropped`);
    }
    const record = {};
    for (let c = 0; c < columns.length; c++) {
      const value = fields[c];
      record[columns[c]] = trim ? value.trim() : value;
    }
    records.push(record);
  }

  return { columns, records, skippedLines, warnings };
}
