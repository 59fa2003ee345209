// Hidden behaviour tests of paginate (the correct plugin passes them): walking a list
// forwards by nextCursor and backwards by prevCursor, for many lengths and page sizes.
// .mjs on purpose: Node 20 does not expand directories of .ts files for --test.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const { default: plugin } = await import(pathToFileURL(resolve('src/index.ts')).href);
const quiet = () => {};
const ctx = { env: {}, log: { debug: quiet, info: quiet, warn: quiet, error: quiet }, signal: new AbortController().signal, workdir: process.cwd() };
const call = (input) => JSON.parse(JSON.stringify(plugin.execute(input, ctx)));
const list = (n) => Array.from({ length: n }, (_, i) => `item_${i + 1}`);

test('following nextCursor visits every item once and stops on the last page', () => {
  for (let n = 0; n <= 21; n++) {
    for (let size = 1; size <= 7; size++) {
      const items = list(n);
      const pages = Math.max(1, Math.ceil(n / size));
      let out = call({ items, pageSize: size });
      const seen = [...out.items];
      let visited = 1;
      while (out.nextCursor) {
        out = call({ items, cursor: out.nextCursor });
        seen.push(...out.items);
        assert.ok(++visited <= pages, `n=${n} size=${size}: more pages than ${pages}`);
      }
      assert.deepEqual(seen, items, `n=${n} size=${size}`);
      assert.equal(out.page, pages, `n=${n} size=${size}`);
      assert.equal(out.pageCount, pages, `n=${n} size=${size}`);
      assert.equal(out.hasNext, false);
    }
  }
});

test('following prevCursor from the last page walks back to the first', () => {
  for (let n = 1; n <= 21; n++) {
    for (let size = 1; size <= 7; size++) {
      const items = list(n);
      const pages = Math.ceil(n / size);
      let out = call({ items, pageSize: size, page: pages });
      const chunks = [out.items];
      while (out.prevCursor) {
        out = call({ items, cursor: out.prevCursor });
        chunks.unshift(out.items);
        assert.equal(out.pageSize, size);
      }
      assert.equal(out.page, 1, `n=${n} size=${size}`);
      assert.deepEqual(chunks.flat(), items, `n=${n} size=${size}`);
    }
  }
});

test('total-only requests give the SQL offset and limit of every page', () => {
  for (const total of [0, 1, 19, 20, 21, 40, 95]) {
    const size = 20;
    const pages = Math.max(1, Math.ceil(total / size));
    for (let page = 1; page <= pages; page++) {
      const out = call({ total, pageSize: size, page });
      assert.equal(out.offset, (page - 1) * size);
      assert.equal(out.limit, Math.max(0, Math.min(size, total - (page - 1) * size)));
      assert.equal(out.hasNext, page < pages);
      assert.equal(out.items, undefined);
    }
    assert.throws(() => call({ total, pageSize: size, page: pages + 1 }), RangeError);
  }
});

test('a null or absent cursor means the first page', () => {
  for (const cursor of [null, undefined]) {
    const out = call({ items: list(5), pageSize: 2, ...(cursor === undefined ? {} : { cursor }) });
    assert.deepEqual([out.page, out.items], [1, ['item_1', 'item_2']]);
  }
});
