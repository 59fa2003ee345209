// Loaded into every Node process of a coverage run (NODE_OPTIONS --import), it acts
// only in the processes `node --test` starts for test files (NODE_TEST_CONTEXT is
// set there). V8's precise coverage is taken after each test, so that steward's
// Ochiai sees one test at a time and whether it passed, not one process per file.
// Each test's file holds what its process ran while loading (imports, top-level
// code, `describe` bodies) and what ran during the test, in V8's own format, beside
// the process's own NODE_V8_COVERAGE file (which keeps the source maps).
const out = process.env.NODE_V8_COVERAGE;
if (out && process.env.NODE_TEST_CONTEXT) {
  const { Session } = await import('node:inspector');
  const { afterEach, beforeEach } = await import('node:test');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');

  const session = new Session();
  session.connect();
  // A session on the process's own thread answers before `post` returns.
  const post = (method, params) => {
    let answer;
    session.post(method, params, (error, result) => {
      if (error) throw error;
      answer = result;
    });
    return answer;
  };
  const take = () => post('Profiler.takePreciseCoverage').result.filter((s) => s.url.startsWith('file://') && s.url !== import.meta.url && !s.url.includes('/node_modules/'));
  post('Profiler.enable');
  post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });

  let load;
  let written = 0;
  // Tests nest (`t.test`): what runs inside a subtest also ran inside its parent.
  const open = [];
  const spread = (taken) => {
    if (load === undefined) load = taken;
    else for (const ran of open) ran.push(...taken);
  };
  beforeEach(() => {
    spread(take());
    open.push([]);
  });
  afterEach((t) => {
    spread(take());
    const ran = open.pop() ?? [];
    try {
      mkdirSync(out, { recursive: true });
      const name = join(out, `steward-test-${process.pid}-${++written}.json`);
      writeFileSync(name, JSON.stringify({ result: [...(load ?? []), ...ran], stewardTest: { name: String(t.name).slice(0, 200), passed: t.passed !== false } }));
    } catch {
      // Coverage is a hint for ranking; a test must not fail for want of it.
    }
  });
}
