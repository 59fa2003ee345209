// Loaded into every Node process of a coverage run (NODE_OPTIONS --import), it acts
// only in the processes `node --test` starts for test files (NODE_TEST_CONTEXT is
// set there), and not in the processes their tests start in turn (they inherit both
// variables; the marker below keeps the hook out of them, where a node:test root
// would write its report onto their stdout). Those processes keep NODE_V8_COVERAGE:
// a suite that runs the plugin as a child process covers it only there, and each
// such process counts as one passing run of its own. V8's precise coverage is taken after
// each test, so that steward's Ochiai sees one test at a time and whether it passed,
// not one process per file. Each test's file holds what its process ran while
// loading (imports, top-level code, `describe` bodies) and what ran during the test,
// in V8's own format, beside the process's own NODE_V8_COVERAGE file (which keeps
// the source maps).
const out = process.env.NODE_V8_COVERAGE;
if (out && process.env.NODE_TEST_CONTEXT && !process.env.STEWARD_PER_TEST_COVERAGE) {
  process.env.STEWARD_PER_TEST_COVERAGE = String(process.pid);
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
  // The tests under way, by their context: tests nest (`t.test`), and a suite may run
  // its tests at once. What runs while several are open counts for each of them.
  const open = new Map();
  const spread = (taken) => {
    if (load === undefined) load = taken;
    else for (const entry of open.values()) entry.ran.push(...taken);
  };
  beforeEach((t) => {
    spread(take());
    open.set(t, { ran: [], failed: false, full: t.fullName });
  });
  afterEach((t) => {
    spread(take());
    const entry = open.get(t) ?? { ran: [], failed: false };
    open.delete(t);
    // A test whose subtest failed did not pass, whatever its own body did: its
    // ancestors by full name (a sibling running at once is no ancestor; without
    // `fullName`, before Node 20.16, nothing is passed up).
    const passed = t.passed !== false && !entry.failed;
    if (!passed && typeof t.fullName === 'string') {
      for (const other of open.values()) if (other.full !== undefined && t.fullName.startsWith(`${other.full} > `)) other.failed = true;
    }
    try {
      mkdirSync(out, { recursive: true });
      // Zero-padded, so that the files sort in the order the tests ended.
      const name = join(out, `steward-test-${process.pid}-${String(++written).padStart(6, '0')}.json`);
      writeFileSync(name, JSON.stringify({ result: [...(load ?? []), ...entry.ran], stewardTest: { name: String(t.name).slice(0, 200), passed } }));
    } catch {
      // Coverage is a hint for ranking; a test must not fail for want of it.
    }
  });
}
