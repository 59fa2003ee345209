import { describe, expect, it } from 'vitest';
import { hunksOf } from '../../agents/plugin-agent/silencing/hunks.ts';
import { silencing, silencingOfFiles } from '../../agents/plugin-agent/silencing/index.ts';
import { onlyNamesChanged } from '../../agents/plugin-agent/silencing/constant-condition.ts';

/** A one-hunk unified diff of `file`, as git writes it. */
function diff(file: string, removed: string[], added: string[]): string {
  return [
    `diff --git a/${file} b/${file}`,
    `--- a/${file}`,
    `+++ b/${file}`,
    `@@ -1,${removed.length} +1,${added.length} @@`,
    ...removed.map((l) => `-${l}`),
    ...added.map((l) => `+${l}`),
    '',
  ].join('\n');
}

const ids = (d: string): string[] => silencing(d).warnings.map((w) => /\(([a-z-]+)\)$/.exec(w)?.[1] ?? w);

describe('changes that only hide a failure', () => {
  it('reads the hunks of a git diff with their files', () => {
    const text = diff('src/a.js', ['x'], ['y', 'z']) + diff('lib/b.py', [], ['w']);
    expect(hunksOf(text)).toEqual([
      { file: 'src/a.js', removed: ['x'], added: ['y', 'z'], following: [] },
      { file: 'lib/b.py', removed: [], added: ['w'], following: [] },
    ]);
  });

  it("takes a hunk's lines from its @@ counts: a line that reads like a header inside a hunk is still a line", () => {
    const text = [
      '--- a/src/a.js',
      '+++ b/src/a.js',
      '@@ -1,2 +1,2 @@',
      '--- x;',
      ' keep();',
      '+++ y;',
      '',
      '--- a/lib/b.py',
      '+++ b/lib/b.py',
      '@@ -3 +3 @@',
      '-x',
      '+y',
      '',
    ].join('\n');
    expect(hunksOf(text)).toEqual([
      // The context kept after a change is what follows the last one.
      { file: 'src/a.js', removed: ['-- x;'], added: ['++ y;'], following: [] },
      { file: 'lib/b.py', removed: ['x'], added: ['y'], following: [] },
    ]);
  });

  it('reads a string before a comment: a URL with // in it does not hide the empty default after it', () => {
    expect(ids(diff('src/link.js', ['  const url = base;'], ["  const url = base ?? 'http://x' || '';"]))).toContain('empty-default');
  });

  it('rejects a condition made constant, in JavaScript, TypeScript and Python', () => {
    expect(silencing(diff('src/rank.js', ['  if (score > limit) {'], ['  if (false) {'])).reject).toMatch(/constant/);
    expect(silencing(diff('src/walk.ts', ['  while (node.next !== null) {'], ['  while (node.next !== null && false) {'])).reject).toMatch(/trivial-condition/);
    expect(silencing(diff('plugin/graph.py', ['    if edge.weight > 0:'], ['    if False:'])).reject).toMatch(/trivial-condition/);
    // A condition that stays a condition is not this pattern.
    expect(silencing(diff('src/rank.js', ['  if (score > limit) {'], ['  if (score >= limit) {'])).reject).toBeUndefined();
  });

  it('rejects a length compared with zero so that it never matters, in JavaScript, TypeScript and Python', () => {
    expect(silencing(diff('src/columns.js', ['  if (given && given.length > 0) {'], ['  if (given && given.length < 0) {'])).reject).toMatch(/constant-size-check/);
    expect(silencing(diff('src/columns.ts', ['  while (queue.size > 0) {'], ['  while (queue.size >= 0) {'])).reject).toMatch(/constant-size-check/);
    expect(silencing(diff('src/columns.js', ['  if (rows.length > 1) {'], ['  if (0 > rows.length) {'])).reject).toMatch(/constant-size-check/);
    expect(silencing(diff('plugin/cols.py', ['    if len(given) > 0:'], ['    if len(given) < 0:'])).reject).toMatch(/constant-size-check/);
    // A length compared with something that is not zero, or with zero the way that can hold, is a condition still.
    expect(ids(diff('src/columns.js', ['  if (given.length > 0) {'], ['  if (given.length > 1) {']))).toEqual([]);
    expect(ids(diff('src/columns.js', ['  if (given.length > 0) {'], ['  if (given.length === 0) {']))).toEqual([]);
    expect(ids(diff('plugin/cols.py', ['    if len(given) > 1:'], ['    if len(given) > 0:']))).toEqual([]);
  });

  it('rejects a value compared with itself, an empty range and a loop comparison turned around', () => {
    expect(silencing(diff('src/power.js', ['  while (n < x) {'], ['  while (x < x) {'])).reject).toMatch(/self-comparison/);
    expect(silencing(diff('plugin/pos.py', ['    if a.start <= b.start:'], ['    if b.start <= b.start:'])).reject).toMatch(/self-comparison/);
    // NaN's own test, and two different names that share a start, are conditions still.
    expect(ids(diff('src/n.js', ['  if (isNaN(x)) {'], ['  if (x !== x) {']))).toEqual([]);
    expect(ids(diff('src/n.js', ['  if (n < max) {'], ['  if (n < n2) {']))).toEqual([]);
    const chain = (a: string): string => `        if date == days[i] and date != days[${a}] and date != days[i-1]:`;
    expect(silencing(diff('plugin/days.py', [chain('i+1')], [chain('i-1')])).reject).toMatch(/clause-duplicated/);
    expect(silencing(diff('src/days.js', ['  if (a && b[i + 1] !== x && b[i - 1] !== x) {'], ['  if (a && b[i - 1] !== x && b[i - 1] !== x) {'])).reject).toMatch(
      /clause-duplicated/,
    );
    expect(ids(diff('plugin/days.py', [chain('i+1')], [chain('i+2')]))).toEqual([]);
    expect(silencing(diff('plugin/scan.py', ['    for i in range(0, len(seq) + 1):'], ['    for i in range(len(seq) + 1, 0):'])).reject).toMatch(/empty-range/);
    expect(ids(diff('plugin/scan.py', ['    for i in range(len(seq), 0):'], ['    for i in range(len(seq), 0, -1):']))).toEqual([]);
    expect(silencing(diff('plugin/find.py', ['    while position < len(seq) and not found:'], ['    while position > len(seq) and not found:'])).reject).toMatch(/loop-reversed/);
    expect(silencing(diff('src/find.ts', ['  for (let i = 0; i < rows.length; i++) {'], ['  for (let i = 0; i >= rows.length; i++) {'])).reject).toMatch(/loop-reversed/);
    // A bound moved by one keeps the direction: an off-by-one fix, not this pattern.
    expect(ids(diff('src/find.ts', ['  for (let i = 0; i <= rows.length; i++) {'], ['  for (let i = 0; i < rows.length; i++) {']))).toEqual([]);
    expect(ids(diff('plugin/find.py', ['    while position <= len(seq):'], ['    while position < len(seq):']))).toEqual([]);
  });

  it('rejects a raising bounds check turned from either into both; keeps a corrected bound', () => {
    const throwing = (cond: string): string => `  if (${cond}) throw new RangeError(\`day \${day} is not in the month\`);`;
    expect(silencing(diff('src/calendar.js', [throwing('day < 1 || day > length')], [throwing('day < 1 && day > length')])).reject).toMatch(/check-weakened/);
    // The throw in the block the changed line opens.
    const block = [
      'diff --git a/src/range.ts b/src/range.ts',
      '--- a/src/range.ts',
      '+++ b/src/range.ts',
      '@@ -4,3 +4,3 @@',
      '-  if (index < 0 || index >= items.length) {',
      '+  if (index < 0 && index >= items.length) {',
      "     throw new RangeError('no such item');",
      '   }',
      '',
    ].join('\n');
    expect(silencing(block).reject).toMatch(/check-weakened/);
    const python = (op: string): string => `    if day < 1 ${op} day > length: raise ValueError(f"{day} is not in the month")`;
    expect(silencing(diff('plugin/calendar.py', [python('or')], [python('and')])).reject).toMatch(/check-weakened/);
    // A bound corrected inside the check, or an either-or that does not raise, is not this pattern.
    expect(ids(diff('src/calendar.js', [throwing('day < 1 || day > length')], [throwing('day < 1 || day >= length')]))).toEqual([]);
    expect(ids(diff('src/pick.js', ['  if (a || b) use(a);'], ['  if (a && b) use(a);']))).toEqual([]);
  });

  it('rejects a catch that swallows the error; a catch that rethrows a clearer one is fine', () => {
    expect(silencing(diff('src/parse.js', ['  return JSON.parse(text);'], ['  try { return JSON.parse(text); } catch { return {}; }'])).reject).toMatch(/swallowed-error/);
    expect(
      silencing(diff('plugin/load.py', ['    return json.loads(text)'], ['    try:', '        return json.loads(text)', '    except ValueError:', '        pass'])).reject,
    ).toMatch(/swallowed-error/);
    expect(
      silencing(
        diff(
          'src/parse.js',
          ['  return JSON.parse(text);'],
          ['  try { return JSON.parse(text); } catch (e) {', '    throw new TypeError(`input.text is not JSON: ${e.message}`);', '  }'],
        ),
      ).reject,
    ).toBeUndefined();
  });

  it('warns of an early constant return, a removed raise, an empty default, a loop cut short and a changed filter', () => {
    expect(ids(diff('src/total.js', ['  const rate = rates[input.currency];'], ['  if (!rates[input.currency]) return null;', '  const rate = rates[input.currency];']))).toContain(
      'early-return',
    );
    expect(ids(diff('plugin/total.py', ['    rate = RATES[code]'], ['    if code not in RATES:', '        return None', '    rate = RATES[code]']))).toContain('early-return');
    // A guard that returns the very value it found empty is an empty answer too.
    expect(ids(diff('plugin/solution.py', ['    while lst:'], ['    if not lst:', '        return lst', '    while lst:']))).toContain('early-return');
    expect(ids(diff('plugin/solution.py', ['    m = max(lst)'], ['    if len(lst) == 0: return lst', '    m = max(lst)']))).toContain('early-return');
    expect(ids(diff('src/pick.js', ['  const top = xs[0].score;'], ['  if (!xs) return xs;', '  const top = xs[0].score;']))).toContain('early-return');
    expect(ids(diff('src/pick.ts', ['  const top = xs[0].score;'], ['  if (xs.length === 0) {', '    return xs;', '  }', '  const top = xs[0].score;']))).toContain('early-return');
    // Returning another value, or a guard on one value returning another, is no such thing.
    expect(ids(diff('plugin/solution.py', ['    m = max(lst)'], ['    if not lst:', '        return default', '    m = max(lst)']))).not.toContain('early-return');
    expect(ids(diff('src/pick.js', ['  const top = xs[0].score;'], ['  if (!xs) return ys;', '  const top = xs[0].score;']))).not.toContain('early-return');
    expect(ids(diff('src/check.ts', ['    throw new RangeError(`bad page ${n}`);'], ['    n = 1;']))).toContain('removed-error');
    expect(ids(diff('src/fmt.js', ['  const symbol = SYMBOLS[code];'], ["  const symbol = SYMBOLS[code] ?? '';"]))).toContain('empty-default');
    expect(ids(diff('src/records.js', ['      record[col] = value.trim();'], ['      record[col] = value?.trim();']))).toEqual(['undefined-flow']);
    expect(ids(diff('plugin/records.py', ['    name = user.name'], ['    name = getattr(user, "name", None)']))).toEqual(['undefined-flow']);
    // Optional access with no default ranks below an explicit empty default.
    expect(silencing(diff('src/records.js', ['      record[col] = value.trim();'], ['      record[col] = value?.trim();'])).rank).toBeGreaterThan(
      silencing(diff('src/records.js', ['      const value = fields[c];'], ["      const value = fields[c] ?? '';"])).rank,
    );
    expect(ids(diff('plugin/fmt.py', ['    cols = header[name]'], ['    cols = header.get(name, [])']))).toContain('empty-default');
    expect(ids(diff('plugin/fmt.py', ['    cols = lookup(name)'], ['    cols = lookup(name) or {}']))).toContain('empty-default');
    expect(ids(diff('src/walk.js', ['    visit(node);'], ['    visit(node);', '    break;']))).toContain('loop-cut');
    expect(ids(diff('src/graph.js', ['  return edges.filter((e) => e.from === id);'], ['  return edges.filter((e) => e.to === id && e.from === id);']))).toContain(
      'filter-changed',
    );
  });

  it('leaves ordinary fixes alone: a guard that refuses, a right default, an off-by-one', () => {
    expect(
      ids(
        diff(
          'src/total.js',
          ['  const rate = rates[input.currency];'],
          ['  const rate = rates[input.currency];', '  if (rate === undefined) throw new TypeError(`unknown currency ${input.currency}`);'],
        ),
      ),
    ).toEqual([]);
    expect(ids(diff('src/page.js', ['  return items.slice(start, start + size + 1);'], ['  return items.slice(start, start + size);']))).toEqual([]);
    expect(ids(diff('plugin/page.py', ['    return items[start:start + size + 1]'], ['    return items[start:start + size]']))).toEqual([]);
    // A default that is not empty, or a string that merely contains "?? ''", is no empty default.
    expect(ids(diff('src/fmt.js', ['  const sep = opts.sep;'], ["  const sep = opts.sep ?? ',';"]))).toEqual([]);
    expect(ids(diff('src/fmt.js', ['  const sep = opts.format.sep;'], ["  const sep = opts.format?.sep ?? ',';"]))).toEqual([]);
    expect(ids(diff('src/fmt.js', ['  log("x");'], ['  log("a ?? \'\' b");']))).toEqual([]);
  });

  it('rejects a range counted up from -1 in Python, whose first index wraps to the last item; a backwards walk is left alone', () => {
    expect(silencing(diff('plugin/pairs.py', ['    for i in range(0, len(xs)):'], ['    for i in range(-1, len(xs)):'])).reject).toMatch(/negative-range-start/);
    expect(silencing(diff('plugin/pairs.py', ['    for i in range(len(xs)):'], ['    for i in range(-1, len(xs) - 1):'])).reject).toMatch(/negative-range-start/);
    expect(ids(diff('plugin/pairs.py', ['    for i in range(-1, -len(xs), -1):'], ['    for i in range(-1, -len(xs) - 1, -1):']))).toEqual([]);
    expect(ids(diff('plugin/pairs.py', ['    for i in range(0, len(xs)):'], ['    for i in range(1, len(xs)):']))).toEqual([]);
    // JavaScript has no such wrap: `xs[-1]` is undefined, and the read fails elsewhere.
    expect(ids(diff('src/pairs.js', ['  for (let i = 0; i < n; i++) {'], ['  for (let i = -1; i < n; i++) {']))).toEqual([]);
  });
});

describe('a division removed on a division by zero', () => {
  const zero = { type: 'ZeroDivisionError', message: 'division by zero' };
  it('rejects the division swapped for another operator when the failure was a division by zero', () => {
    expect(silencing(diff('plugin/avg.py', ['    return bin(round(total / (m - n)))'], ['    return bin(round(total * (m - n)))']), [], zero).reject).toMatch(/division-removed/);
    expect(silencing(diff('plugin/avg.py', ['    return total // count'], ['    return total - count']), [], zero).reject).toMatch(/division-removed/);
  });

  it('leaves the same swap alone on another failure, and a fixed divisor alone on this one', () => {
    expect(ids(diff('plugin/avg.py', ['    return total / count'], ['    return total * count']))).toEqual([]);
    expect(silencing(diff('plugin/avg.py', ['    return total / count'], ['    return total * count']), [], { type: 'TypeError', message: 'x' }).warnings).toEqual([]);
    expect(silencing(diff('plugin/avg.py', ['    return total / (m - n)'], ['    return total / (m - n + 1)']), [], zero).warnings).toEqual([]);
  });
});

describe('an inserted assignment that throws work away', () => {
  const check = (file: string, before: string, after: string) => silencingOfFiles({ [file]: after }, () => before);

  const pyBefore = ['def total(xs):', '    for x in xs:', '        count += x', '    return count', ''].join('\n');
  it('rejects an initialisation copied into the loop that accumulates the value read after it (Python)', () => {
    const inside = ['def total(xs):', '    for x in xs:', '        count = 0', '        count += x', '    return count', ''].join('\n');
    expect(check('plugin/total.py', pyBefore, inside).reject).toMatch(/accumulator-reset/);
    // Before the loop is the fix.
    const before = ['def total(xs):', '    count = 0', '    for x in xs:', '        count += x', '    return count', ''].join('\n');
    expect(check('plugin/total.py', pyBefore, before).warnings).toEqual([]);
  });

  it('rejects it in JavaScript and TypeScript, for pushes and `x = x + …` as well', () => {
    const jsBefore = ['export function names(rows) {', '  for (const row of rows) {', '    out.push(row.name);', '  }', '  return out;', '}', ''].join('\n');
    const jsInside = ['export function names(rows) {', '  for (const row of rows) {', '    out = [];', '    out.push(row.name);', '  }', '  return out;', '}', ''].join('\n');
    expect(check('src/names.js', jsBefore, jsInside).reject).toMatch(/accumulator-reset/);
    const tsBefore = ['function sum(xs: number[]): number {', '  let i = 0;', '  while (i < xs.length) {', '    s = s + xs[i];', '    i++;', '  }', '  return s;', '}', ''].join(
      '\n',
    );
    const tsInside = tsBefore.replace('    s = s + xs[i];', '    s = 0;\n    s = s + xs[i];');
    expect(check('src/sum.ts', tsBefore, tsInside).reject).toMatch(/accumulator-reset/);
  });

  it('leaves a per-pass reset alone: a nested loop whose outer pass uses the value, or a value never read after the loop', () => {
    const nestedBefore = [
      'def widths(rows):',
      '    out = []',
      '    for row in rows:',
      '        for c in row:',
      '            n += 1',
      '        out.append(n)',
      '    return out',
      '',
    ].join('\n');
    const nested = nestedBefore.replace('    for row in rows:\n', '    for row in rows:\n        n = 0\n');
    expect(check('plugin/widths.py', nestedBefore, nested).warnings).toEqual([]);
    const scratchBefore = ['def emit(xs):', '    for x in xs:', '        buf += str(x)', '        send(buf)', '    return True', ''].join('\n');
    const scratch = scratchBefore.replace('        buf += str(x)', '        buf = ""\n        buf += str(x)');
    expect(check('plugin/emit.py', scratchBefore, scratch).warnings).toEqual([]);
    // An initialisation to something other than a constant is not this pattern.
    const copied = pyBefore.replace('        count += x', '        count = start\n        count += x');
    expect(check('plugin/total.py', pyBefore, copied).warnings).toEqual([]);
  });

  it('rejects a constant that decides the loop: a flag the condition reads, set at the body level on every pass', () => {
    const before = [
      'def first_at_least(x, seq):',
      '    i = 0',
      '    done = False',
      '    while i < len(seq) and not done:',
      '        if seq[i] >= x:',
      '            done = True',
      '        else:',
      '            i += i',
      '    return i',
      '',
    ].join('\n');
    const decided = before.replace('        if seq[i] >= x:', '        done = True\n        if seq[i] >= x:');
    expect(check('plugin/find.py', before, decided).reject).toMatch(/loop-decided/);
    const js = [
      'function firstAtLeast(x, seq) {',
      '  let i = 0;',
      '  let done = false;',
      '  while (i < seq.length && !done) {',
      '    if (seq[i] >= x) done = true;',
      '    else i += i;',
      '  }',
      '  return i;',
      '}',
      '',
    ].join('\n');
    expect(check('src/find.js', js, js.replace('    if (seq[i] >= x) done = true;', '    done = true;\n    if (seq[i] >= x) done = true;')).reject).toMatch(/loop-decided/);
    // The missing step is no such thing: it reads the variable it updates.
    expect(check('plugin/find.py', before, before.replace('            i += i', '            i += i\n            i += 1')).warnings).toEqual([]);
    // Nor is a flag set under a condition, where the loop's work decides.
    expect(check('plugin/find.py', before, before.replace('            i += i', '            i += i\n            done = True')).warnings).toEqual([]);
  });

  it('rejects an assignment that makes an earlier one dead: the value set again before anything reads it', () => {
    const before = [
      'def oldest(people):',
      '    out = []',
      '    while people:',
      '        top = people[0][1]',
      '        for p in people:',
      '            if p[1] > top:',
      '                pick = p',
      '                top = p[1]',
      '        people.remove(pick)',
      '        out.append(pick)',
      '    return out',
      '',
    ].join('\n');
    const dead = before.replace('        people.remove(pick)', '        pick = p\n        people.remove(pick)');
    expect(check('plugin/age.py', before, dead).reject).toMatch(/line 7 gave it.*dead-store/);
    // Set before the inner loop, the value is read by the loop's later passes and after it: the initialisation that was missing.
    const initialised = before.replace('        for p in people:', '        pick = people[0]\n        for p in people:');
    expect(check('plugin/age.py', before, initialised).warnings).toEqual([]);
    // A flag read after the loops it is set in, set again just before that read.
    const flag = [
      'def unique(day, days):',
      '    for d in days:',
      '        if d == day:',
      '            seen = 1',
      '            break',
      '    if seen == 0:',
      '        return True',
      '    return False',
      '',
    ].join('\n');
    expect(check('plugin/day.py', flag, flag.replace('    if seen == 0:', '    seen = 1\n    if seen == 0:')).reject).toMatch(/dead-store|accumulator/);
    // A total the loop computed, thrown away after it; a copy of it is no such thing.
    const counted = ['function total(xs) {', '  let n = 0;', '  for (const x of xs) {', '    n += x;', '  }', '  return n;', '}', ''].join('\n');
    expect(check('src/total.js', counted, counted.replace('  return n;', '  n = 0;\n  return n;')).reject).toMatch(/line 4 gave it.*dead-store/);
    expect(check('src/total.js', counted, counted.replace('  return n;', '  const shown = n;\n  return n;')).warnings).toEqual([]);
  });
});

describe('a rewritten line that leaves its function broken', () => {
  const check = (file: string, before: string, after: string) => silencingOfFiles({ [file]: after }, () => before);

  it('rejects a rewrite that stops reading a variable whose value is then set again unread', () => {
    const before = [
      'def busiest(day, log):',
      '    for i in range(len(log)):',
      '        hours = [h for h in log[i][1]]',
      '        hours = sorted(hours)',
      '        if day == hours[0]:',
      '            return True',
      '    return False',
      '',
    ].join('\n');
    expect(check('plugin/busy.py', before, before.replace('sorted(hours)', 'sorted(log)')).reject).toMatch(/`hours`.*line 3 gave it.*dropped-read/);
    // Still reading it is no such thing.
    expect(check('plugin/busy.py', before, before.replace('sorted(hours)', 'sorted(hours, reverse=True)')).warnings).toEqual([]);
    // A parameter has no earlier line to throw away.
    expect(check('plugin/busy.py', before, before.replace('if day == hours[0]', 'if i == hours[0]')).warnings).toEqual([]);
  });

  it('rejects a rewrite after which nothing reads what an earlier line computed (JavaScript)', () => {
    const before = ['function pick(items, at) {', '  const index = Math.min(at, items.length - 1);', '  return items[index];', '}', ''].join('\n');
    expect(check('src/pick.js', before, before.replace('items[index]', 'items[at]')).reject).toMatch(/`index`.*nothing else does.*dropped-read/);
    const logged = before.replace('  return items[index];', '  log(index);\n  return items[index];');
    expect(check('src/pick.js', logged, logged.replace('items[index]', 'items[at]')).warnings).toEqual([]);
  });

  it('rejects a written line that binds a parameter nothing has read yet', () => {
    const before = [
      'def position(x, seq):',
      '    """Where x goes in seq,',
      '    so that seq stays sorted."""',
      '    # x is any number',
      '    for i, x in seq:',
      '        if x < seq[i]:',
      '            return i',
      '    return len(seq)',
      '',
    ].join('\n');
    expect(check('plugin/pos.py', before, before.replace('in seq:', 'in enumerate(seq):')).reject).toMatch(/`x`, a parameter.*parameter-rebound/);
    expect(check('plugin/pos.py', before, before.replace('for i, x in seq:', 'for i, item in enumerate(seq):')).reject).toBeUndefined();
    const crlf = before.replace(/\n/g, '\r\n');
    expect(check('plugin/pos.py', crlf, crlf.replace('in seq:', 'in enumerate(seq):')).reject).toMatch(/parameter-rebound/);
    // Converting the caller's value reads it first.
    const converted = ['def half(n):', '    n = n // 2', '    return n', ''].join('\n');
    expect(check('plugin/half.py', converted, converted.replace('n // 2', 'n >> 1')).warnings).toEqual([]);
    const js = ['function sum(n, xs) {', '  let t = 0;', '  for (const v of xs) {', '    t += v;', '  }', '  return t + n;', '}', ''].join('\n');
    expect(check('src/sum.js', js, js.replace('for (const v of xs)', 'for (const n of xs)').replace('t += v', 't += n')).reject).toMatch(/parameter-rebound/);
  });

  it("rejects a written condition that asks whether a loop's item is in the collection the loop walks", () => {
    const before = ['def distinct(words):', '    seen = []', '    for w in words:', '        if w not in seen:', '            seen.append(w)', '    return seen', ''].join('\n');
    expect(check('plugin/distinct.py', before, before.replace('if w not in seen', 'if w not in words')).reject).toMatch(/`w` is in `words`.*line 3.*loop-member/);
    // The collection it fills is another matter, and so is one the loop takes items out of.
    expect(check('plugin/distinct.py', before, before.replace('if w not in seen', 'if w in seen')).warnings).toEqual([]);
    const shrinking = before.replace('            seen.append(w)', '            words.remove(w)');
    expect(check('plugin/distinct.py', shrinking, shrinking.replace('if w not in seen', 'if w not in words')).warnings).toEqual([]);
    const js = [
      'function distinct(words) {',
      '  const seen = [];',
      '  for (const w of words) {',
      '    if (!seen.includes(w)) seen.push(w);',
      '  }',
      '  return seen;',
      '}',
      '',
    ].join('\n');
    expect(check('src/distinct.js', js, js.replace('!seen.includes(w)', '!words.includes(w)')).reject).toMatch(/loop-member/);
  });

  it('rejects a written line that adds a container the loop keeps changing in place', () => {
    const before = [
      'def rounds(queue):',
      '    done = []',
      '    while queue:',
      '        first = queue.pop(0)',
      '        if first in done:',
      '            continue',
      '        done.append(first)',
      '    return done',
      '',
    ].join('\n');
    expect(check('plugin/rounds.py', before, before.replace('done.append(first)', 'done.append(queue)')).reject).toMatch(
      /adds `queue` itself to `done`.*line 3.*line 4.*appended-alias/,
    );
    expect(check('plugin/rounds.py', before, before.replace('done.append(first)', 'done.insert(0, queue)')).reject).toMatch(/appended-alias/);
    // A copy, the element, or a container bound afresh on each pass is no alias.
    expect(check('plugin/rounds.py', before, before.replace('done.append(first)', 'done.append(queue[:])')).warnings).toEqual([]);
    expect(check('plugin/rounds.py', before, before.replace('done.append(first)', 'done.append(first * 2)')).warnings).toEqual([]);
    const fresh = before.replace('        first = queue.pop(0)', '        row = []\n        first = queue.pop(0)\n        row.append(first)');
    expect(check('plugin/rounds.py', fresh, fresh.replace('done.append(first)', 'done.append(row)')).warnings).toEqual([]);
    // Left alone by the loop, it is the same object on purpose.
    const steady = before.replace('while queue:', 'for first in list(queue):').replace('        first = queue.pop(0)\n', '');
    expect(check('plugin/rounds.py', steady, steady.replace('done.append(first)', 'done.append(queue)')).warnings).toEqual([]);
    const js = [
      'function rounds(queue) {',
      '  const done = [];',
      '  while (queue.length) {',
      '    const first = queue.shift();',
      '    if (done.includes(first)) continue;',
      '    done.push(first);',
      '  }',
      '  return done;',
      '}',
      '',
    ].join('\n');
    expect(check('src/rounds.js', js, js.replace('done.push(first)', 'done.push(queue)')).reject).toMatch(/appended-alias/);
    const perPass = js.replace('    done.push(first);', '    const pair = [first];\n    pair.push(first);\n    done.push(first);');
    expect(check('src/rounds.js', perPass, perPass.replace('done.push(first)', 'done.push(pair)')).warnings).toEqual([]);
  });

  it('rejects a written update that adds the variable to itself as well', () => {
    expect(silencing(diff('plugin/keep.py', ['            result += result + i'], ['            result += result + [i]'])).reject).toMatch(/self-operand/);
    expect(silencing(diff('src/keep.js', ['    out += out + x;'], ['    out += out + String(x);'])).reject).toMatch(/self-operand/);
    expect(silencing(diff('plugin/keep.py', ['            result += result + i'], ['            result += [i]'])).warnings).toEqual([]);
    expect(silencing(diff('plugin/keep.py', ['    total += x'], ['    total += x + 1'])).warnings).toEqual([]);
  });
});

describe('a changed condition that only reads another name', () => {
  const text = (before: string, after: string) => ({ before, after });
  it('is told from one whose sense changed', () => {
    const before = 'def f(x, seq):\n    if x > list1[-1]:\n        return 1\n';
    // A name replaced, or a property: the same sense, other data.
    expect(onlyNamesChanged(text(before, before.replace('list1', 'seq')), 2)).toBe(true);
    expect(onlyNamesChanged(text('if (a.size > 0) {\n', 'if (a.length > 0) {\n'), 1)).toBe(true);
    // An operator, a negation, a clause, a constant, or a word that is an operator: not a rename.
    expect(onlyNamesChanged(text(before, before.replace('>', '<')), 2)).toBe(false);
    expect(onlyNamesChanged(text(before, before.replace('if x', 'if not x')), 2)).toBe(false);
    expect(onlyNamesChanged(text(before, before.replace('x > list1[-1]', 'x > list1[-1] or x')), 2)).toBe(false);
    expect(onlyNamesChanged(text(before, before.replace('-1', '-2')), 2)).toBe(false);
    expect(onlyNamesChanged(text('if x is y:\n', 'if x is None:\n'), 1)).toBe(false);
    // Nothing changed there, lines added before it, or the file deleted.
    expect(onlyNamesChanged(text(before, before), 2)).toBe(false);
    expect(onlyNamesChanged(text(before, `# note\n${before}`), 3)).toBe(false);
    expect(onlyNamesChanged({ before, after: null }, 2)).toBe(false);
  });
});
