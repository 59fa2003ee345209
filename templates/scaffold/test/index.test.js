import assert from 'node:assert/strict';
import { test } from 'node:test';
import plugin from '../src/index.js';

test('echoes its text', () => {
  assert.deepEqual(plugin.execute({ text: 'hello' }), { text: 'hello' });
});

test('keeps empty text', () => {
  assert.deepEqual(plugin.execute({ text: '' }), { text: '' });
});

test('has help', () => {
  assert.match(plugin.help(), /Input/);
});
