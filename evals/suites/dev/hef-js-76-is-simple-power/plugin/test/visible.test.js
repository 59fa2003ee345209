import { test } from 'node:test';
import assert from 'node:assert/strict';
import plugin from '../src/index.js';

// Calls from the benchmark's tests that the plugin answers correctly.
const CASES = [
  {
    "input": {
      "args": [
        1,
        4
      ]
    },
    "output": true
  },
  {
    "input": {
      "args": [
        3,
        1
      ]
    },
    "output": false
  },
  {
    "input": {
      "args": [
        1,
        1
      ]
    },
    "output": true
  },
  {
    "input": {
      "args": [
        1,
        12
      ]
    },
    "output": true
  }
];

CASES.forEach(({ input, output }, i) => {
  test(`benchmark call ${i + 1}`, () => {
    assert.deepEqual(JSON.parse(JSON.stringify(plugin.execute(input))), output);
  });
});
