import { test } from 'node:test';
import assert from 'node:assert/strict';
import plugin from '../src/index.js';

// Calls from the benchmark's tests that the plugin answers correctly.
const CASES = [
  {
    "input": {
      "args": [
        7
      ]
    },
    "output": 1
  },
  {
    "input": {
      "args": [
        -2
      ]
    },
    "output": 0
  },
  {
    "input": {
      "args": [
        0
      ]
    },
    "output": 0
  }
];

CASES.forEach(({ input, output }, i) => {
  test(`benchmark call ${i + 1}`, () => {
    assert.deepEqual(JSON.parse(JSON.stringify(plugin.execute(input))), output);
  });
});
