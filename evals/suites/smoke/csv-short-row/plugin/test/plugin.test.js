import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import plugin from '../src/index.js';

function makeCtx() {
  const lines = [];
  const log = {
    debug: () => {},
    info: () => {},
    warn: (msg) => lines.push(msg),
    error: (msg) => lines.push(msg),
  };
  return {
    ctx: { env: {}, log, signal: new AbortController().signal, workdir: fileURLToPath(new URL('..', import.meta.url)) },
    lines,
  };
}

test('exports the plugin object the host expects', () => {
  assert.equal(plugin.name, 'csv-import');
  assert.equal(typeof plugin.execute, 'function');
  assert.match(plugin.help(), /csv-import/);
});

test('maps rows to records using the header row', () => {
  const { ctx } = makeCtx();
  const out = plugin.execute({ text: 'sku, qty ,price\nA-1, 3 ,9.99\nB-2,10,0.50\n' }, ctx);
  assert.deepEqual(out.columns, ['sku', 'qty', 'price']);
  assert.deepEqual(out.records, [
    { sku: 'A-1', qty: '3', price: '9.99' },
    { sku: 'B-2', qty: '10', price: '0.50' },
  ]);
  assert.equal(out.rowCount, 2);
  assert.deepEqual(out.warnings, []);
});

test('skips blank lines and counts them', () => {
  const { ctx } = makeCtx();
  const out = plugin.execute({ text: 'a,b\n\n1,2\n   \n3,4\n' }, ctx);
  assert.equal(out.rowCount, 2);
  assert.equal(out.skippedLines, 2);
});

test('keeps whitespace when trim is off', () => {
  const { ctx } = makeCtx();
  const out = plugin.execute({ text: 'a,b\n 1 ,2', options: { trim: false } }, ctx);
  assert.deepEqual(out.records, [{ a: ' 1 ', b: '2' }]);
});

test('makes duplicate and blank header names unique', () => {
  const { ctx } = makeCtx();
  const out = plugin.execute({ text: 'amount,amount,\n1,2,3' }, ctx);
  assert.deepEqual(out.columns, ['amount', 'amount_2', 'column_3']);
});

test('uses explicit columns when the file has no header', () => {
  const { ctx } = makeCtx();
  const out = plugin.execute({ text: '1\tAda\n2\tGrace', options: { header: false, delimiter: '\\t', columns: ['id', 'name'] } }, ctx);
  assert.deepEqual(out.records, [
    { id: '1', name: 'Ada' },
    { id: '2', name: 'Grace' },
  ]);
});

test('drops extra fields with a warning instead of failing the import', () => {
  const { ctx, lines } = makeCtx();
  const out = plugin.execute({ text: 'a,b\n1,2,3\n4,5' }, ctx);
  assert.deepEqual(out.records[0], { a: '1', b: '2' });
  assert.deepEqual(out.warnings, ['line 2: 3 fields, expected 2; extra fields dropped']);
  assert.deepEqual(lines, out.warnings);
});

test('returns no records for a header-only file', () => {
  const { ctx } = makeCtx();
  const out = plugin.execute({ text: 'a,b,c\n' }, ctx);
  assert.deepEqual(out, { columns: ['a', 'b', 'c'], records: [], rowCount: 0, skippedLines: 0, warnings: [] });
});
