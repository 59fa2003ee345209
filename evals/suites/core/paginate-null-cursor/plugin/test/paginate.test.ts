import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import plugin, { type PaginateOutput, type PluginContext } from '../src/index.ts';
import { decodeCursor, encodeCursor, CursorError } from '../src/cursor.ts';
import { pageCount } from '../src/pages.ts';

const warnings: unknown[] = [];
const ctx: PluginContext = {
  env: {},
  log: { debug: () => {}, warn: (obj: unknown) => void warnings.push(obj) },
  signal: new AbortController().signal,
  workdir: fileURLToPath(new URL('..', import.meta.url)),
};

const orders = Array.from({ length: 7 }, (_, i) => ({ id: `ord_${i + 1}` }));

test('cursors round-trip and are URL safe', () => {
  const cursor = encodeCursor({ offset: 40, pageSize: 20 });
  assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeCursor(cursor), { offset: 40, pageSize: 20 });
});

test('rejects tampered cursors with a CursorError', () => {
  for (const bad of ['%%%', Buffer.from('[1,2]').toString('base64url'), encodeCursor({ offset: -1, pageSize: 10 })]) {
    assert.throws(() => decodeCursor(bad), CursorError);
  }
});

test('counts pages', () => {
  assert.equal(pageCount(100, 10), 10);
  assert.equal(pageCount(95, 10), 10);
  assert.equal(pageCount(7, 2), 4);
  assert.equal(pageCount(0, 25), 1);
});

test('returns the first page by default', () => {
  const out = plugin.execute({ items: orders, pageSize: 4 }, ctx);
  assert.deepEqual(out.items, orders.slice(0, 4));
  assert.deepEqual([out.page, out.pageCount, out.hasNext, out.hasPrev], [1, 2, true, false]);
  assert.equal(out.prevCursor, null);
});

test('walks every item exactly once by following nextCursor', () => {
  const seen: unknown[] = [];
  let out: PaginateOutput = plugin.execute({ items: orders, pageSize: 2 }, ctx);
  seen.push(...(out.items ?? []));
  while (out.nextCursor) {
    out = plugin.execute({ items: orders, cursor: out.nextCursor }, ctx);
    seen.push(...(out.items ?? []));
  }
  assert.deepEqual(seen, orders);
  assert.equal(out.page, 4);
  assert.equal(out.hasNext, false);
});

test('prevCursor leads back to the previous page', () => {
  const third = plugin.execute({ items: orders, pageSize: 2, page: 3 }, ctx);
  assert.ok(third.prevCursor);
  const second = plugin.execute({ items: orders, cursor: third.prevCursor }, ctx);
  assert.equal(second.page, 2);
  assert.deepEqual(second.items, orders.slice(2, 4));
});

test('a cursor keeps the page size it was minted with', () => {
  const cursor = encodeCursor({ offset: 4, pageSize: 2 });
  const out = plugin.execute({ items: orders, cursor, pageSize: 50 }, ctx);
  assert.equal(out.pageSize, 2);
  assert.deepEqual(out.items, orders.slice(4, 6));
});

test('total-only requests get offset and limit for SQL paging', () => {
  const out = plugin.execute({ total: 95, pageSize: 10, page: 10 }, ctx);
  assert.deepEqual(
    { offset: out.offset, limit: out.limit, pageCount: out.pageCount, hasNext: out.hasNext, items: out.items },
    { offset: 90, limit: 5, pageCount: 10, hasNext: false, items: undefined },
  );
});

test('an empty list has one empty page', () => {
  const out = plugin.execute({ items: [], pageSize: 25 }, ctx);
  assert.deepEqual([out.page, out.pageCount, out.items, out.nextCursor], [1, 1, [], null]);
});

test('pages past the end are a RangeError', () => {
  assert.throws(() => plugin.execute({ total: 95, pageSize: 10, page: 11 }, ctx), RangeError);
});

test('items win over a stale total', () => {
  warnings.length = 0;
  const out = plugin.execute({ items: orders, total: 9, pageSize: 5 }, ctx);
  assert.equal(out.total, 7);
  assert.equal(warnings.length, 1);
});
