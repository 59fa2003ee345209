// The test-result parsers against real captured output (test/fixtures/test-output, see its README)
// and against the edge cases a broken or hostile suite can print.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_FAILURE_CHARS, parseJUnit, parseTap, parseTestOutput } from '../../orchestrator/sandbox/results/index.ts';
import type { ParsedTests, TestCase } from '../../orchestrator/sandbox/results/types.ts';
import { seededRandom } from '../../orchestrator/core/random.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'test-output');

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

function byName(parsed: ParsedTests, name: string): TestCase {
  const found = parsed.tests.filter((test) => test.name === name);
  expect(found, `exactly one test named ${JSON.stringify(name)}`).toHaveLength(1);
  return found[0] as TestCase;
}

function outcomes(parsed: ParsedTests): [string, string][] {
  return parsed.tests.map((test) => [test.name, test.outcome]);
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T;
}

function expectWellFormed(parsed: ParsedTests): void {
  expect(parsed.warnings.filter((warning) => warning.includes('internal'))).toEqual([]);
  for (const test of parsed.tests) {
    expect(typeof test.name).toBe('string');
    expect(['pass', 'fail', 'skip']).toContain(test.outcome);
    if (test.durationMs !== undefined) expect(Number.isFinite(test.durationMs)).toBe(true);
    if (test.failure !== undefined) expect(test.failure.length).toBeLessThanOrEqual(MAX_FAILURE_CHARS);
  }
}

describe('parseTap on real Node 20 output', () => {
  it('reads passing, failing, skipped, todo and nested describe/it tests of one file', () => {
    const parsed = parseTap(fixture('node-sample.tap'));
    expect(outcomes(parsed)).toEqual([
      ['adds numbers', 'pass'],
      ['compares totals', 'fail'],
      ['mismatch without message', 'fail'],
      ['not ready yet', 'skip'],
      ['planned work', 'skip'],
      ['parser > reads a header', 'pass'],
      ['parser > rows > splits on commas', 'pass'],
      ['parser > rows > keeps quoted commas', 'fail'],
      ['parser > ignores BOM', 'skip'],
      ['outer with subtests > inner one', 'pass'],
      ['outer with subtests > inner two', 'fail'],
    ]);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.incomplete).toBe(false);
    expect(byName(parsed, 'compares totals').failure).toBe('totals differ\n\n4 !== 5');
    expect(byName(parsed, 'mismatch without message').failure).toContain(`+ "it's here"\n- 'it is here'`);
    expect(byName(parsed, 'parser > rows > keeps quoted commas').failure).toContain('Expected values to be strictly deep-equal');
    expect(byName(parsed, 'outer with subtests > inner two').failure).toBe('multi\nline\nerror');
    // A todo that fails is still a todo, and the stack trace is never part of the failure.
    expect(byName(parsed, 'planned work').failure).toBeUndefined();
    expect(byName(parsed, 'compares totals').failure).not.toContain('TestContext');
    expect(byName(parsed, 'adds numbers').failure).toBeUndefined();
    for (const test of parsed.tests) {
      expect(typeof test.durationMs, test.name).toBe('number');
      expect(test.durationMs, test.name).toBeGreaterThan(0);
    }
    expect(byName(parsed, 'adds numbers').durationMs).toBe(1.373877);
  });

  it('reads two files run together', () => {
    const parsed = parseTap(fixture('node-two-files.tap'));
    expect(outcomes(parsed)).toEqual([
      ['a passes', 'pass'],
      ['a fails', 'fail'],
      ['b suite > b passes', 'pass'],
      ['b suite > b todo', 'skip'],
    ]);
    expect(byName(parsed, 'a fails').failure).toContain('1 !== 2');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.incomplete).toBe(false);
  });

  it('counts a test file that crashed while loading as a failing test named after the file, with its stderr', () => {
    const parsed = parseTap(fixture('node-crashed-file.tap'));
    // Node runs files in parallel, so the order in the capture is not the command line's.
    expect(outcomes(parsed).sort()).toEqual([
      ['/tmp/steward-fixtures/node-crash-at-load.source.mjs', 'fail'],
      ['/tmp/steward-fixtures/node-no-tests.source.mjs', 'pass'],
      ['a fails', 'fail'],
      ['a passes', 'pass'],
    ]);
    const crashed = byName(parsed, '/tmp/steward-fixtures/node-crash-at-load.source.mjs');
    expect(crashed.failure).toContain('Error: boom at load');
    expect(crashed.failure).not.toContain('hello from d');
    expect(parsed.incomplete).toBe(false);
  });

  it('handles the escapes, hooks and suites Node 20 reports in its own way', () => {
    const parsed = parseTap(fixture('node-quirks.tap'));
    expect(outcomes(parsed)).toEqual([
      ['issue #42 fixed', 'pass'],
      ['back\\slash', 'pass'],
      // "empty suite" is a describe without tests: not a test.
      ['skipped suite', 'skip'],
      ['before hook fails > never runs', 'fail'],
      ['before hook fails', 'fail'],
      ['after hook fails > passes anyway', 'pass'],
      ['after hook fails', 'fail'],
      ['error with quotes', 'fail'],
      ['long error', 'fail'],
      ['times out', 'fail'],
    ]);
    expect(byName(parsed, 'before hook fails').failure).toBe('before boom');
    expect(byName(parsed, 'after hook fails').failure).toBe('after boom');
    expect(byName(parsed, 'error with quotes').failure).toBe("it's 'quoted' here");
    expect(byName(parsed, 'times out').failure).toBe('test timed out after 50ms');
    const long = byName(parsed, 'long error').failure ?? '';
    expect(long).toHaveLength(MAX_FAILURE_CHARS);
    expect(long.endsWith('x…')).toBe(true);
  });

  it('reads the csv-import plugin suite', () => {
    const parsed = parseTap(fixture('csv-import.tap'));
    expect(parsed.tests).toHaveLength(14);
    expect(parsed.tests.every((test) => test.outcome === 'pass')).toBe(true);
    expect(parsed.tests[0]?.name).toBe('splits simple rows and ignores the trailing newline');
    expect(byName(parsed, 'handles CRLF line endings and a UTF-8 BOM').durationMs).toBe(0.188955);
    expect(parsed.warnings).toEqual([]);
  });

  it('reads the log-summary plugin suite (TAP from bash, plan at the end)', () => {
    const parsed = parseTap(fixture('log-summary.tap'));
    expect(parsed.tests).toHaveLength(13);
    expect(parsed.tests.every((test) => test.outcome === 'pass' && test.durationMs === undefined)).toBe(true);
    expect(parsed.tests[12]?.name).toBe('rejects input without text');
    expect(parsed.warnings).toEqual([]);
    expect(parsed.incomplete).toBe(false);
  });

  it('reads CRLF line endings like LF ones', () => {
    const lf = fixture('node-sample.tap');
    expect(parseTap(lf.replace(/\n/g, '\r\n'))).toEqual(parseTap(lf));
    expect(parseTap(lf.replace(/\n/g, '\r\n')).tests).toHaveLength(11);
  });

  it('nests a file-level point over the tests it holds', () => {
    // How Node 20 releases before the flattened file output printed several files.
    const parsed = parseTap(
      [
        'TAP version 13',
        '# Subtest: /repo/test/a.test.js',
        '    # Subtest: adds',
        '    ok 1 - adds',
        '      ---',
        '      duration_ms: 0.5',
        '      ...',
        '    1..1',
        'ok 1 - /repo/test/a.test.js',
        '  ---',
        '  duration_ms: 40.1',
        '  ...',
        '# Subtest: /repo/test/b.test.js',
        '    # Subtest: fails',
        '    not ok 1 - fails',
        '      ---',
        "      error: 'nope'",
        '      ...',
        '    1..1',
        'not ok 2 - /repo/test/b.test.js',
        '  ---',
        "  failureType: 'subtestsFailed'",
        "  error: '1 subtest failed'",
        '  ...',
        '1..2',
      ].join('\n'),
    );
    expect(parsed.tests).toEqual([
      { name: '/repo/test/a.test.js > adds', outcome: 'pass', durationMs: 0.5 },
      { name: '/repo/test/b.test.js > fails', outcome: 'fail', failure: 'nope' },
    ]);
    expect(parsed.warnings).toEqual([]);
  });

  it('keeps what it read when the output stops inside a subtest', () => {
    const lines = fixture('node-sample.tap').split('\n');
    const cut = lines.findIndex((line) => line.includes('ok 1 - splits on commas'));
    const parsed = parseTap(lines.slice(0, cut + 4).join('\n'));
    expect(outcomes(parsed).slice(-2)).toEqual([
      ['parser > reads a header', 'pass'],
      ['parser > rows > splits on commas', 'pass'],
    ]);
    expect(parsed.tests).toHaveLength(7);
    expect(parsed.incomplete).toBe(true);
    expect(parsed.warnings).toContain('the output stopped inside subtest "rows"');
    expect(parsed.warnings).toContain('the output stopped inside subtest "parser"');
  });
});

describe('parseTap on plain TAP', () => {
  it('reads bash-style TAP with a plan first, directives, diagnostics and stray lines', () => {
    const parsed = parseTap(
      [
        'TAP version 13',
        '1..5',
        'building fixtures...',
        'ok 1 - parses the header',
        'not ok 2 - writes the footer # TODO footer not written yet',
        'ok 3 # SKIP no network',
        'not ok 4 - sums the column',
        '  # expected 6, got 5',
        '  # input: 1,2,3',
        'ok 5 - issue \\#7 handled # skip flaky on CI',
        '# 1 of 5 tests failed',
      ].join('\n'),
    );
    expect(parsed.tests).toEqual([
      { name: 'parses the header', outcome: 'pass' },
      { name: 'writes the footer', outcome: 'skip' },
      { name: 'test 3', outcome: 'skip' },
      { name: 'sums the column', outcome: 'fail', failure: 'expected 6, got 5\ninput: 1,2,3' },
      { name: 'issue #7 handled', outcome: 'skip' },
    ]);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.incomplete).toBe(false);
  });

  it('reads TAP 14 subtests and YAML messages', () => {
    const parsed = parseTap(
      [
        'TAP version 14',
        '1..3',
        '# Subtest: math',
        '    ok 1 - adds',
        '    not ok 2 - subtracts',
        '      ---',
        "      message: 'it''s off by one'",
        '      severity: fail',
        '      ...',
        '    1..2',
        'not ok 1 - math',
        'ok 2 - strings # SKIP no locale',
        'not ok 3 - dates',
        '  ---',
        '  message: ignored when there is an error',
        '  error: >-',
        '    folded',
        '    into one line',
        '  duration_ms: 12',
        '  ...',
      ].join('\n'),
    );
    expect(parsed.tests).toEqual([
      { name: 'math > adds', outcome: 'pass' },
      { name: 'math > subtracts', outcome: 'fail', failure: "it's off by one" },
      { name: 'strings', outcome: 'skip' },
      { name: 'dates', outcome: 'fail', failure: 'folded into one line', durationMs: 12 },
    ]);
    expect(parsed.warnings).toEqual([]);
  });

  it('decodes the util.inspect quoting Node 20 writes in YAML', () => {
    const parsed = parseTap(
      [
        'not ok 1 - one',
        '  ---',
        "  error: 'it\\'s \"x\" and `y`'",
        '  ...',
        'not ok 2 - two',
        '  ---',
        '  error: `it\'s "x"`',
        '  ...',
        'not ok 3 - three',
        '  ---',
        "  error: 'C:\\\\dir\\\\file \\x07 bell'",
        '  ...',
        '1..3',
      ].join('\n'),
    );
    expect(parsed.tests.map((test) => test.failure)).toEqual([`it's "x" and \`y\``, `it's "x"`, 'C:\\dir\\file \u0007 bell']);
  });

  it('stops at "Bail out!" and marks the run incomplete', () => {
    const parsed = parseTap(['1..4', 'ok 1 - first', 'Bail out! database unreachable', 'ok 2 - after the bail out'].join('\n'));
    expect(parsed.tests).toEqual([{ name: 'first', outcome: 'pass' }]);
    expect(parsed.incomplete).toBe(true);
    expect(parsed.warnings).toContain('Bail out! database unreachable');
  });

  it('marks the run incomplete when fewer tests appear than the plan says', () => {
    const parsed = parseTap(['1..5', 'ok 1 - a', 'ok 2 - b', 'not ok 3 - c'].join('\n'));
    expect(parsed.tests).toHaveLength(3);
    expect(parsed.incomplete).toBe(true);
    expect(parsed.warnings).toEqual(['the TAP plan said 5 tests but 3 appeared']);
  });

  it('warns without a plan but keeps the tests', () => {
    const parsed = parseTap('ok 1 - a\nnot ok 2 - b\n');
    expect(outcomes(parsed)).toEqual([
      ['a', 'pass'],
      ['b', 'fail'],
    ]);
    expect(parsed.warnings).toEqual(['no TAP plan ("1..N") found']);
    expect(parsed.incomplete).toBe(false);
  });

  it('reads an empty string as no tests', () => {
    expect(parseTap('')).toEqual({ tests: [], warnings: ['no TAP plan ("1..N") found'], incomplete: false });
  });

  it('finds no tests in text that is not TAP', () => {
    const parsed = parseTap('Segmentation fault (core dumped)\nokay then\n  ---\nnot okay\n1..x\n');
    expect(parsed.tests).toEqual([]);
    expect(parsed.warnings).toEqual(['no TAP plan ("1..N") found']);
  });

  it('never throws on random input', () => {
    const next = seededRandom(20_240_610);
    const tokens = [
      'ok',
      'not ok',
      ' 1',
      ' - ',
      'name',
      '#',
      ' # SKIP',
      ' # TODO',
      '\\',
      '1..',
      '3',
      'Bail out!',
      '# Subtest: ',
      '  ---',
      '  ...',
      '  error: ',
      "'",
      '"',
      '`',
      '|-',
      '>',
      '\n',
      '\r\n',
      '\r',
      '    ',
      '  ',
      ':',
      '\u0000',
      '\uD800',
      '💥',
    ];
    for (let round = 0; round < 2000; round++) {
      let text = '';
      const length = Math.floor(next() * 80);
      for (let i = 0; i < length; i++) {
        text += next() < 0.8 ? pick(next, tokens) : String.fromCharCode(Math.floor(next() * 0x3000));
      }
      expectWellFormed(parseTap(text));
    }
  });

  it('never throws on real output with lines dropped, repeated and swapped', () => {
    const next = seededRandom(7);
    const lines = fixture('node-sample.tap').split('\n');
    for (let round = 0; round < 300; round++) {
      const mutated = [...lines];
      for (let edit = 0; edit < 8; edit++) {
        const at = Math.floor(next() * mutated.length);
        const kind = next();
        if (kind < 0.4) mutated.splice(at, 1);
        else if (kind < 0.7) mutated.splice(at, 0, pick(next, lines));
        else mutated.splice(at, 1, (mutated[at] ?? '').slice(Math.floor(next() * 6)));
      }
      expectWellFormed(parseTap(mutated.join('\n')));
    }
  });

  it('stays fast on input built to nest deeply or backtrack', () => {
    const started = Date.now();
    const deep = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(3000 - i)}ok ${i} - level`).join('\n');
    const parsedDeep = parseTap(deep);
    expectWellFormed(parsedDeep);
    expect(parsedDeep.tests).toHaveLength(1);
    expect(parsedDeep.tests[0]?.name.split(' > ')).toHaveLength(3000);
    expectWellFormed(parseTap(`ok 1 - ${'#'.repeat(200_000)}`));
    expectWellFormed(parseTap(`ok${' '.repeat(200_000)}\u2028x\u2028`));
    expectWellFormed(parseTap(`ok 1 - x\n  ---\n  error: |-\n${'    line\n'.repeat(150_000)}  ...\n1..1`));
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('parseJUnit', () => {
  it('reads the unit-convert plugin report', () => {
    const parsed = parseJUnit(fixture('unit-convert.junit.xml'));
    expect(parsed.tests).toHaveLength(17);
    expect(parsed.tests.every((test) => test.outcome === 'pass' && test.failure === undefined)).toBe(true);
    expect(parsed.tests[0]).toEqual({ name: 'test_convert.ConvertTest > test_below_absolute_zero_is_refused', outcome: 'pass', durationMs: 0 });
    expect(byName(parsed, 'test_protocol.ProtocolTest > test_bad_requests').durationMs).toBe(654);
    expect(parsed.warnings).toEqual([]);
  });

  it('reads failures, errors and skips from the unit-convert runner', () => {
    const parsed = parseJUnit(fixture('unit-convert-failing.junit.xml'));
    expect(parsed.tests).toHaveLength(21);
    expect(outcomes(parsed).filter(([name]) => name.startsWith('test_zz_broken'))).toEqual([
      ['test_zz_broken.BrokenTest > test_error', 'fail'],
      ['test_zz_broken.BrokenTest > test_failure', 'fail'],
      ['test_zz_broken.BrokenTest > test_passes', 'pass'],
      ['test_zz_broken.BrokenTest > test_skipped', 'skip'],
    ]);
    expect(byName(parsed, 'test_zz_broken.BrokenTest > test_failure').failure).toBe('AssertionError: 2 != 3 : sum is off');
    expect(byName(parsed, 'test_zz_broken.BrokenTest > test_error').failure).toBe(`KeyError: "missing <unit> & 'scale'"`);
    expect(byName(parsed, 'test_zz_broken.BrokenTest > test_skipped').failure).toBeUndefined();
  });

  it('reads a pytest report with a failure, an error and a skip', () => {
    const parsed = parseJUnit(fixture('pytest-handwritten.junit.xml'));
    expect(parsed.tests).toEqual([
      { name: 'tests.test_slugify > test_lowercases', outcome: 'pass', durationMs: 2 },
      {
        name: 'tests.test_slugify > test_strips_accents',
        outcome: 'fail',
        durationMs: 13,
        failure: "AssertionError: assert 'creme-brulee' == 'crème-brûlée'\n  - crème-brûlée\n  + creme-brulee",
      },
      {
        name: 'tests.test_slugify > test_reads_stopwords',
        outcome: 'fail',
        durationMs: 1150,
        failure: `failed on setup with "FileNotFoundError: [Errno 2] No such file or directory: 'stopwords.txt'"`,
      },
      { name: 'tests.test_slugify > test_unicode_normalisation[NFKD]', outcome: 'skip', durationMs: 0 },
    ]);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.incomplete).toBe(false);
  });

  it('reads a report pytest itself wrote', () => {
    const parsed = parseJUnit(fixture('pytest-real.junit.xml'));
    expect(outcomes(parsed)).toEqual([
      ['tests.test_money > test_rounds_half_even', 'pass'],
      ['tests.test_money > test_formats_cents', 'fail'],
      ['tests.test_money > test_converts', 'fail'],
      ['tests.test_money > test_locale', 'skip'],
      ['tests.test_money > test_known_bug', 'skip'],
    ]);
    expect(byName(parsed, 'tests.test_money > test_formats_cents').failure).toContain("AssertionError: cents must be dropped\nassert '1.50' == '1.5'");
    expect(byName(parsed, 'tests.test_money > test_converts').failure).toContain('ConnectionError: rates service unreachable');
  });

  it('reads a single <testsuite> root, nested suites, text-only failures and CDATA', () => {
    const parsed = parseJUnit(`<?xml version="1.0"?>
<testsuite name="outer" tests="4">
  <testcase classname="Cart" name="adds items" time="1,234.5"/>
  <testsuite name="inner">
    <testcase classname="Cart totals" name="Cart totals" time="0.01">
      <failure>Error: expected 3 &lt; 2
    at Object.&lt;anonymous&gt; (cart.test.js:9:5)</failure>
    </testcase>
    <testcase name="no class" time="oops"><error type="Crash"><![CDATA[literal &lt; stays <b>raw</b>]]></error></testcase>
    <testcase classname="Cart" name="disabled"><skipped message="later"/></testcase>
  </testsuite>
</testsuite>`);
    expect(parsed.tests).toEqual([
      { name: 'Cart > adds items', outcome: 'pass', durationMs: 1_234_500 },
      { name: 'Cart totals', outcome: 'fail', durationMs: 10, failure: 'Error: expected 3 < 2\n    at Object.<anonymous> (cart.test.js:9:5)' },
      { name: 'no class', outcome: 'fail', failure: 'literal &lt; stays <b>raw</b>' },
      { name: 'Cart > disabled', outcome: 'skip' },
    ]);
    expect(parsed.warnings).toEqual([]);
  });

  it('caps a long failure at 2,000 characters', () => {
    const parsed = parseJUnit(`<testsuites><testsuite><testcase name="t"><failure message="${'y'.repeat(5000)}"/></testcase></testsuite></testsuites>`);
    expect(parsed.tests[0]?.failure).toHaveLength(MAX_FAILURE_CHARS);
  });

  it('turns malformed XML, garbage and an empty report into a warning', () => {
    for (const xml of [
      '<testsuites><testsuite><testcase name="a"></testsuite></testsuites>',
      'Traceback (most recent call last):',
      '',
      '<testsuites><testcase name="a" name="b"/></testsuites>',
    ]) {
      const parsed = parseJUnit(xml);
      expect(parsed.tests, xml).toEqual([]);
      expect(parsed.warnings, xml).toHaveLength(1);
      expect(parsed.incomplete, xml).toBe(false);
    }
    expect(parseJUnit('<html><body>502</body></html>').warnings).toEqual(['no <testsuites> or <testsuite> element in the JUnit report']);
  });

  it('does not expand entities a DOCTYPE declares', () => {
    const laughs = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) laughs.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const started = Date.now();
    const parsed = parseJUnit(`<?xml version="1.0"?>
<!DOCTYPE testsuite [${laughs.join('')}<!ENTITY who "injected">]>
<testsuite><testcase classname="&who;" name="&lol9;"><failure message="&lol9; &amp;lol;"/></testcase></testsuite>`);
    expect(parsed.tests).toEqual([{ name: '&who; > &lol9;', outcome: 'fail', failure: '&lol9; &lol;' }]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a DOCTYPE with an external entity instead of reading the file', () => {
    const parsed = parseJUnit(`<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>
<testsuite><testcase name="&passwd;"/></testsuite>`);
    expect(parsed.tests).toEqual([]);
    expect(parsed.warnings).toHaveLength(1);
    expect(JSON.stringify(parsed)).not.toContain('root:');
  });

  it('never throws on random or mangled XML', () => {
    const next = seededRandom(42);
    const real = fixture('pytest-handwritten.junit.xml');
    const tokens = [
      '<testsuite>',
      '</testsuite>',
      '<testcase name="a" time="1">',
      '</testcase>',
      '<failure message="m">',
      '</failure>',
      '<skipped/>',
      '<!DOCTYPE x [<!ENTITY e "v">]>',
      '&e;',
      '&#x110000;',
      '&#0;',
      '<![CDATA[',
      ']]>',
      '"',
      '<',
      '>',
      '__proto__',
      'constructor',
    ];
    for (let round = 0; round < 500; round++) {
      let xml = '';
      const length = Math.floor(next() * 40);
      for (let i = 0; i < length; i++) xml += pick(next, tokens);
      expectWellFormed(parseJUnit(xml));
      const cut = Math.floor(next() * real.length);
      expectWellFormed(parseJUnit(real.slice(0, cut) + real.slice(cut + Math.floor(next() * 50))));
    }
  });
});

describe('parseTestOutput', () => {
  it('reads TAP from stdout', () => {
    const stdout = fixture('log-summary.tap');
    expect(parseTestOutput('tap', { stdout, exitCode: 0 })).toEqual(parseTap(stdout));
    expect(parseTestOutput('tap', { stdout, exitCode: 0 }).tests).toHaveLength(13);
  });

  it('reads the JUnit report, and warns when there is none', () => {
    expect(parseTestOutput('junit', { stdout: 'OK', reportXml: fixture('unit-convert.junit.xml'), exitCode: 0 }).tests).toHaveLength(17);
    expect(parseTestOutput('junit', { stdout: 'OK', exitCode: 1 })).toEqual({ tests: [], warnings: ['no JUnit report'], incomplete: false });
  });

  it('makes one test of an exit-code suite', () => {
    expect(parseTestOutput('exit-code', { stdout: 'all good\n', exitCode: 0, suiteName: 'money-format' })).toEqual({
      tests: [{ name: 'money-format', outcome: 'pass' }],
      warnings: [],
      incomplete: false,
    });
    expect(parseTestOutput('exit-code', { stdout: '', exitCode: 0 }).tests).toEqual([{ name: 'suite', outcome: 'pass' }]);
  });

  it('keeps the last 20 lines of stdout as the failure of a failing exit-code suite', () => {
    const stdout = `${Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n')}\n\n`;
    const parsed = parseTestOutput('exit-code', { stdout, exitCode: 2 });
    expect(parsed.tests).toEqual([{ name: 'suite', outcome: 'fail', failure: Array.from({ length: 20 }, (_, i) => `line ${i + 11}`).join('\n') }]);
    const killed = parseTestOutput('exit-code', { stdout: '', exitCode: null });
    expect(killed.tests[0]?.outcome).toBe('fail');
    expect(killed.tests[0]?.failure).toBe('the suite was killed before it exited');
  });
});
