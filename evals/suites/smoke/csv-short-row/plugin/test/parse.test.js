import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRows, CsvError } from '../src/parse.js';

const fieldsOf = (text, opts) => parseRows(text, opts).map((r) => r.fields);

test('splits simple rows and ignores the trailing newline', () => {
  assert.deepEqual(fieldsOf('a,b,c\n1,2,3\n'), [
    ['a', 'b', 'c'],
    ['1', '2', '3'],
  ]);
});

test('keeps delimiters and newlines inside quoted fields', () => {
  const rows = parseRows('name,address\n"Lovelace, Ada","12 St James\'s Sq\nLondon"\nnext,row');
  assert.deepEqual(rows[1].fields, ['Lovelace, Ada', "12 St James's Sq\nLondon"]);
  // the row after a multi-line field reports its real starting line
  assert.equal(rows[2].line, 4);
});

test('unescapes doubled quotes', () => {
  assert.deepEqual(fieldsOf('"say ""hi""",x'), [['say "hi"', 'x']]);
});

test('handles CRLF line endings and a UTF-8 BOM', () => {
  assert.deepEqual(fieldsOf('\ufeffid,qty\r\n7,3\r\n'), [
    ['id', 'qty'],
    ['7', '3'],
  ]);
});

test('honours a custom delimiter', () => {
  assert.deepEqual(fieldsOf('a;b\n"x;y";z', { delimiter: ';' }), [
    ['a', 'b'],
    ['x;y', 'z'],
  ]);
});

test('reports an unterminated quote with the starting line', () => {
  assert.throws(() => parseRows('a,b\n1,"oops\n2,3'), (err) => {
    assert.ok(err instanceof CsvError);
    assert.match(err.message, /^line 2: unterminated quoted field/);
    return true;
  });
});
