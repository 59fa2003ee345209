// Probes HumanEvalFix JavaScript items: records every call the benchmark's tests make to
// the entry point (on the canonical solution, in strict mode as an ES module runs it),
// then replays each call on the buggy solution and says what happened.
// Usage: node probe.mjs <humanevalpack.jsonl>  ->  one JSON object per item on stdout.
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

/** The item's code with its entry declared with `let`, so the recorder can wrap it. */
export function withLetEntry(code, entry) {
  return code.replace(new RegExp(`\\bconst\\s+${entry}\\s*=`), `let ${entry} =`);
}

function record(item) {
  const calls = [];
  const context = vm.createContext({
    __calls: calls,
    console: {
      log: () => {},
      assert: (ok) => {
        if (!ok) throw new Error('assertion failed');
      },
    },
  });
  const code = `'use strict';
${withLetEntry(item.prompt + item.canonical_solution, item.entry_point)}
{
  const impl = ${item.entry_point};
  let depth = 0;
  ${item.entry_point} = (...args) => {
    const top = depth === 0;
    const snapshot = top ? JSON.stringify(args) : undefined;
    depth++;
    try {
      const result = impl(...args);
      if (top) __calls.push({ args: snapshot, output: JSON.stringify(result === undefined ? null : result) });
      return result;
    } finally {
      depth--;
    }
  };
}
${item.test}`;
  vm.runInContext(code, context, { timeout: 20000 });
  return calls;
}

function probe(item) {
  const out = { task_id: item.task_id, entry: item.entry_point };
  let calls;
  try {
    calls = [...record({ ...item, test: item.test }), ...record({ ...item, test: item.example_test })];
  } catch (error) {
    out.error = `canonical solution fails its tests: ${error?.name ?? 'error'}`;
    return out;
  }
  const cases = [];
  const seen = new Set();
  let notJson = 0;
  for (const call of calls) {
    if (call.args === undefined || call.output === undefined) {
      notJson++;
      continue;
    }
    const args = JSON.parse(call.args);
    // Arguments JSON cannot carry faithfully (undefined, NaN, Infinity become null) are left out.
    if (JSON.stringify(args) !== call.args || /null/.test(call.args)) {
      notJson++;
      continue;
    }
    if (seen.has(call.args)) continue;
    seen.add(call.args);
    cases.push({ args, output: JSON.parse(call.output) });
  }
  out.cases = cases;
  out.notJson = notJson;
  const context = vm.createContext({ console: { log: () => {}, assert: () => {} } });
  try {
    vm.runInContext(`'use strict';\n${withLetEntry(item.prompt + item.buggy_solution, item.entry_point)}\nthis.__fn = ${item.entry_point};`, context, { timeout: 10000 });
  } catch (error) {
    out.error = `buggy module fails to load: ${error?.name}`;
    return out;
  }
  for (const c of cases) {
    context.__args = structuredClone(c.args);
    try {
      const result = vm.runInContext('JSON.stringify((r => r === undefined ? null : r)(__fn(...__args)))', context, { timeout: 3000 });
      c.buggy = result !== undefined && JSON.stringify(JSON.parse(result)) === JSON.stringify(c.output) ? 'same' : 'wrong';
    } catch (error) {
      if (error?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') c.buggy = 'hang';
      else {
        c.buggy = `raise:${error?.name ?? typeof error}`;
        c.trace = String(error?.message ?? error).slice(0, 200);
      }
    }
  }
  return out;
}

const items = readFileSync(process.argv[2], 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
for (const item of items) {
  let result;
  try {
    result = probe(item);
  } catch (error) {
    result = { task_id: item.task_id, error: `probe failed: ${error?.message}` };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
