import { limitFailure, NAME_SEPARATOR, type ParsedTests, type TestCase, type TestOutcome } from './types.ts';

type Directive = 'skip' | 'todo';

/** One test point; once the points nested under it are seen, a suite. */
interface TapPoint {
  name: string;
  number?: number;
  ok: boolean;
  directive?: Directive;
  durationMs?: number;
  /** From the YAML block: `error`, else `message`. */
  failure?: string;
  /** Comment lines right after a failing point: how plain TAP producers explain a failure. */
  diagnostics: string[];
  /** Comment lines just before the point: Node 20 prints a test file's own output there. */
  leadingComments: string[];
  /** Node's YAML field; 'subtestsFailed' means the point failed only because a child did. */
  failureType?: string;
  /** Node marks describe blocks `type: 'suite'`, so an empty one is not mistaken for a passing test. */
  declaredSuite: boolean;
  children: TapPoint[];
  /** Whether flattening this point yields a failing test; kept up to date so deep trees stay linear. */
  hasFailure: boolean;
  /** Order of appearance, to merge points from different indentation levels. */
  seq: number;
  /** Stands in for a subtest whose own point never came because the output stopped. */
  synthetic: boolean;
}

/** Points at one indentation that still wait for the parent point printed after them. */
interface Level {
  indent: number;
  points: TapPoint[];
}

interface OpenSubtest {
  indent: number;
  name: string;
  seq: number;
}

interface Plan {
  indent: number;
  count: number;
}

interface YamlState {
  point: TapPoint;
  indent: number;
  lines: string[];
}

interface Reader {
  levels: Level[];
  openSubtests: OpenSubtest[];
  plans: Plan[];
  warnings: string[];
  incomplete: boolean;
  seq: number;
  /** The last point, while a YAML block may still follow it. */
  awaitingYaml?: { point: TapPoint; indent: number };
  yaml?: YamlState;
  /** A failing point whose trailing comment lines are its diagnostics. */
  diagnosticsFor?: { point: TapPoint; indent: number };
  /** The last few comment lines since the previous point. */
  comments: string[];
  bailedOut: boolean;
}

// `[\s\S]*` rather than `.*$`: it always matches, so no line can make these backtrack.
const POINT = /^(not )?ok(?=\s|$)\s*(\d+)?\s*(?:-(?=\s|$))?\s*([\s\S]*)/;
const PLAN = /^1\.\.(\d+)(?:\s*#[\s\S]*)?$/;
const BAIL_OUT = /^Bail out!\s*([\s\S]*)/;
const SUBTEST = /^#\s*Subtest:\s?([\s\S]*)/;
const YAML_KEY = /^([A-Za-z_][\w-]*):(?=\s|$)\s*([\s\S]*)/;
const DIRECTIVE = /#\s*(skip|todo)/iy;
const BLOCK_SCALAR = /^[|>][-+0-9]*$/;
const LEADING_COMMENT_LINES = 20;

/**
 * Reads TAP 13/14 as Node 20's `--test-reporter=tap` and plain producers write it.
 * Only leaf points are tests: a point with nested points is a suite whose name prefixes its children's.
 */
export function parseTap(text: string): ParsedTests {
  const reader = newReader();
  try {
    readLines(reader, String(text));
    return finish(reader);
  } catch (error) {
    // A parser bug must not take a test run down with it; the fuzz tests check this never happens.
    return { tests: [], warnings: [`internal TAP parser error: ${String(error)}`], incomplete: true };
  }
}

function newReader(): Reader {
  return { levels: [], openSubtests: [], plans: [], warnings: [], incomplete: false, seq: 0, bailedOut: false, comments: [] };
}

function readLines(reader: Reader, text: string): void {
  for (const line of text.split(/\r\n|\r|\n/)) {
    readLine(reader, line);
    if (reader.bailedOut) break;
  }
  endYaml(reader);
}

function readLine(reader: Reader, rawLine: string): void {
  const line = rawLine.trimEnd();
  const indent = indentOf(line);
  const body = line.slice(indent);
  if (reader.yaml) {
    if (continueYaml(reader, reader.yaml, line, indent, body)) return;
  } else if (reader.awaitingYaml && body !== '') {
    const target = reader.awaitingYaml;
    reader.awaitingYaml = undefined;
    if (body === '---' && indent > target.indent) {
      reader.yaml = { point: target.point, indent, lines: [] };
      reader.diagnosticsFor = undefined;
      return;
    }
  }
  if (body !== '') readTapLine(reader, body, indent);
}

/** Returns false when the line ended an unterminated block and must be read as TAP. */
function continueYaml(reader: Reader, yaml: YamlState, line: string, indent: number, body: string): boolean {
  if (body === '...' && indent === yaml.indent) {
    endYaml(reader);
    return true;
  }
  if (body !== '' && indent < yaml.indent) {
    endYaml(reader);
    return false;
  }
  yaml.lines.push(line);
  return true;
}

function endYaml(reader: Reader): void {
  const yaml = reader.yaml;
  reader.yaml = undefined;
  if (yaml) applyYaml(yaml.point, parseYamlMap(yaml.lines));
}

function readTapLine(reader: Reader, body: string, indent: number): void {
  const point = POINT.exec(body);
  if (point) return addPoint(reader, makePoint(reader, point), indent);
  if (body.startsWith('#')) return readComment(reader, body, indent);
  reader.diagnosticsFor = undefined;
  const plan = PLAN.exec(body);
  if (plan) {
    reader.plans.push({ indent, count: Number(plan[1]) });
    return;
  }
  const bail = BAIL_OUT.exec(body);
  if (bail) {
    reader.bailedOut = true;
    reader.incomplete = true;
    reader.warnings.push(`Bail out!${bail[1] ? ` ${bail[1]}` : ''}`);
  }
  // Anything else (the version line, pragmas, stray program output) carries no result.
}

function readComment(reader: Reader, body: string, indent: number): void {
  const subtest = SUBTEST.exec(body);
  if (subtest) {
    reader.diagnosticsFor = undefined;
    popOpenSubtests(reader, indent);
    reader.openSubtests.push({ indent, name: unescapeName(subtest[1] ?? ''), seq: reader.seq++ });
    return;
  }
  const comment = body.replace(/^#\s?/, '');
  const target = reader.diagnosticsFor;
  if (target && indent >= target.indent) target.point.diagnostics.push(comment);
  reader.comments.push(comment);
  if (reader.comments.length > LEADING_COMMENT_LINES) reader.comments.shift();
}

function makePoint(reader: Reader, match: RegExpExecArray): TapPoint {
  const { name, directive } = splitDirective(match[3] ?? '');
  const point: TapPoint = {
    name,
    ok: match[1] === undefined,
    diagnostics: [],
    leadingComments: reader.comments,
    declaredSuite: false,
    children: [],
    hasFailure: false,
    seq: reader.seq++,
    synthetic: false,
  };
  reader.comments = [];
  if (match[2] !== undefined) point.number = Number(match[2]);
  if (directive) point.directive = directive;
  return point;
}

/** Node escapes '#' in names as '\#', so only an unescaped '#' followed by SKIP or TODO starts a directive. */
function splitDirective(description: string): { name: string; directive?: Directive } {
  for (let i = 0; i < description.length; i++) {
    const char = description[i];
    if (char === '\\') {
      i++;
    } else if (char === '#') {
      DIRECTIVE.lastIndex = i;
      const directive = DIRECTIVE.exec(description)?.[1]?.toLowerCase();
      if (directive === 'skip' || directive === 'todo') {
        return { name: unescapeName(description.slice(0, i).trim()), directive };
      }
    }
  }
  return { name: unescapeName(description.trim()) };
}

/** Node 20 escapes '\' and '#' in names (after turning control characters into '\n' and the like, which stay as text). */
function unescapeName(name: string): string {
  return name.replace(/\\([\\#])/g, '$1');
}

function addPoint(reader: Reader, point: TapPoint, indent: number): void {
  reader.diagnosticsFor = point.ok ? undefined : { point, indent };
  reader.awaitingYaml = { point, indent };
  // The children of a point are printed before it, one indentation step deeper.
  point.children = takeDeeper(reader, indent);
  popOpenSubtests(reader, indent);
  point.hasFailure = computeHasFailure(point);
  pushToLevel(reader, indent, point);
}

function takeDeeper(reader: Reader, indent: number): TapPoint[] {
  const taken: TapPoint[] = [];
  for (let level = reader.levels.at(-1); level && level.indent > indent; level = reader.levels.at(-1)) {
    reader.levels.pop();
    // No push(...points): a spread of 100k+ arguments overflows the stack.
    for (const point of level.points) taken.push(point);
  }
  return taken.sort((a, b) => a.seq - b.seq);
}

function pushToLevel(reader: Reader, indent: number, point: TapPoint): void {
  const top = reader.levels.at(-1);
  if (top && top.indent === indent) top.points.push(point);
  else reader.levels.push({ indent, points: [point] });
}

function popOpenSubtests(reader: Reader, indent: number): void {
  while ((reader.openSubtests.at(-1)?.indent ?? -1) >= indent) reader.openSubtests.pop();
}

function applyYaml(point: TapPoint, fields: Map<string, string>): void {
  const duration = Number.parseFloat(fields.get('duration_ms') ?? '');
  if (Number.isFinite(duration)) point.durationMs = duration;
  const failure = nonEmpty(fields.get('error')) ?? nonEmpty(fields.get('message'));
  if (failure !== undefined) point.failure = failure;
  // A test file that failed as a whole (it crashed while loading) says only 'test failed'; the
  // reason is in the file's own stderr, which Node 20 printed as comments before the point.
  if (fields.has('exitCode') && point.leadingComments.length > 0) {
    point.failure = [failure ?? 'test failed', ...point.leadingComments].join('\n');
  }
  const failureType = fields.get('failureType');
  if (failureType !== undefined) point.failureType = failureType;
  point.declaredSuite = fields.get('type') === 'suite';
  // The block changes what the point's own failure means, so recompute it.
  point.hasFailure = computeHasFailure(point);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function outcomeOf(point: TapPoint): TestOutcome {
  if (point.directive) return 'skip';
  return point.ok ? 'pass' : 'fail';
}

/** Node reports an empty describe block as a passing point; it holds no test. */
function isEmptySuite(point: TapPoint): boolean {
  return point.children.length === 0 && point.declaredSuite && point.ok && !point.directive;
}

/**
 * A suite that failed for a reason of its own (a hook, code between subtests, a crashed file) is reported
 * as a failing test, or the failure would vanish: Node 20 blames a failed `after` hook on the suite only.
 */
function failedOnItsOwn(point: TapPoint): boolean {
  if (point.ok || point.directive || point.synthetic) return false;
  if (point.failureType !== undefined) return point.failureType !== 'subtestsFailed';
  return !point.children.some((child) => child.hasFailure);
}

function computeHasFailure(point: TapPoint): boolean {
  if (point.children.length === 0) return outcomeOf(point) === 'fail';
  return point.children.some((child) => child.hasFailure) || failedOnItsOwn(point);
}

function finish(reader: Reader): ParsedTests {
  closeOpenSubtests(reader);
  const roots = reader.levels[0]?.points ?? [];
  checkPlan(reader, roots.filter((point) => !point.synthetic).length);
  return { tests: flatten(roots), warnings: reader.warnings, incomplete: reader.incomplete };
}

/** Output that stops inside a subtest leaves points without their parent: hang them under its "# Subtest:" name. */
function closeOpenSubtests(reader: Reader): void {
  for (;;) {
    const deepest = reader.levels.at(-1);
    if (!deepest) return;
    const below = reader.levels.at(-2);
    popOpenSubtests(reader, deepest.indent + 1);
    const opener = reader.openSubtests.findLast((open) => open.indent < deepest.indent);
    if (opener && (!below || below.indent <= opener.indent)) {
      reader.levels.pop();
      popOpenSubtests(reader, opener.indent);
      pushToLevel(reader, opener.indent, syntheticSuite(opener, deepest.points));
      reader.incomplete = true;
      reader.warnings.push(`the output stopped inside subtest "${opener.name}"`);
    } else if (below) {
      reader.levels.pop();
      below.points = [...below.points, ...deepest.points].sort((a, b) => a.seq - b.seq);
    } else {
      return;
    }
  }
}

function syntheticSuite(opener: OpenSubtest, children: TapPoint[]): TapPoint {
  return {
    name: opener.name,
    ok: true,
    diagnostics: [],
    leadingComments: [],
    declaredSuite: true,
    children,
    hasFailure: children.some((child) => child.hasFailure),
    seq: opener.seq,
    synthetic: true,
  };
}

function checkPlan(reader: Reader, seen: number): void {
  const topIndent = reader.levels[0]?.indent ?? smallest(reader.plans.map((plan) => plan.indent));
  const plans = reader.plans.filter((plan) => plan.indent === topIndent);
  const plan = plans.at(-1);
  if (!plan) {
    if (!reader.bailedOut) reader.warnings.push('no TAP plan ("1..N") found');
    return;
  }
  if (plans.length > 1) reader.warnings.push(`${plans.length} top-level TAP plans; using the last (1..${plan.count})`);
  if (seen < plan.count) {
    reader.incomplete = true;
    reader.warnings.push(`the TAP plan said ${plan.count} tests but ${seen} appeared`);
  } else if (seen > plan.count) {
    reader.warnings.push(`the TAP plan said ${plan.count} tests but ${seen} appeared`);
  }
}

/** Depth-first without recursion: hostile input can nest points as deep as it has lines. */
function flatten(roots: TapPoint[]): TestCase[] {
  const tests: TestCase[] = [];
  type Item = { point: TapPoint; prefix: string; asSuiteFailure?: boolean };
  const stack: Item[] = roots.map((point) => ({ point, prefix: '' })).reverse();
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { point, prefix } = item;
    const name = fullName(prefix, point);
    if (item.asSuiteFailure) {
      tests.push(toTestCase(point, name, 'fail'));
    } else if (point.children.length === 0) {
      if (!isEmptySuite(point)) tests.push(toTestCase(point, name, outcomeOf(point)));
    } else {
      // Pushed first so it pops after the children, in the order Node printed them.
      if (failedOnItsOwn(point)) stack.push({ point, prefix, asSuiteFailure: true });
      for (let i = point.children.length - 1; i >= 0; i--) {
        const child = point.children[i];
        if (child) stack.push({ point: child, prefix: name });
      }
    }
  }
  return tests;
}

function fullName(prefix: string, point: TapPoint): string {
  const own = point.name !== '' ? point.name : point.children.length > 0 ? '' : `test ${point.number ?? '?'}`;
  if (own === '') return prefix;
  return prefix === '' ? own : `${prefix}${NAME_SEPARATOR}${own}`;
}

function toTestCase(point: TapPoint, name: string, outcome: TestOutcome): TestCase {
  const test: TestCase = { name, outcome };
  if (point.durationMs !== undefined) test.durationMs = point.durationMs;
  if (outcome === 'fail') {
    const failure = limitFailure(point.failure ?? point.diagnostics.join('\n'));
    if (failure !== undefined) test.failure = failure;
  }
  return test;
}

/** Math.min(...values) overflows the stack on long arrays. */
function smallest(values: number[]): number {
  return values.reduce((min, value) => Math.min(min, value), Number.POSITIVE_INFINITY);
}

function indentOf(line: string): number {
  let i = 0;
  while (line[i] === ' ') i++;
  return i;
}

// ---- The small part of YAML that TAP diagnostics use --------------------------------------------

/** Top-level keys of a diagnostic block; nested mappings (Node's `expected:`/`actual:`) are skipped. */
function parseYamlMap(lines: string[]): Map<string, string> {
  const fields = new Map<string, string>();
  const keyIndent = smallest(lines.filter((line) => line.trim() !== '').map(indentOf));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const key = indentOf(line) === keyIndent ? YAML_KEY.exec(line.slice(keyIndent)) : null;
    if (!key?.[1]) continue;
    let end = i + 1;
    while (end < lines.length && isContinuation(lines[end] ?? '', keyIndent)) end++;
    const value = parseScalar(key[2] ?? '', lines.slice(i + 1, end));
    if (value !== undefined) fields.set(key[1], value);
    i = end - 1;
  }
  return fields;
}

function isContinuation(line: string, keyIndent: number): boolean {
  return line.trim() === '' || indentOf(line) > keyIndent;
}

function parseScalar(head: string, more: string[]): string | undefined {
  const first = head.trim();
  if (BLOCK_SCALAR.test(first)) return blockScalar(more, first.startsWith('>'));
  const folded = [first, ...more.map((line) => line.trim())].filter((part) => part !== '').join(' ');
  if (first === '' || first === '~' || first === 'null') return undefined;
  const quote = first[0];
  if (quote === "'" || quote === '"' || quote === '`') return unquote(folded, quote);
  return folded;
}

function blockScalar(lines: string[], folded: boolean): string {
  const contentIndent = smallest(lines.filter((line) => line.trim() !== '').map(indentOf));
  const content = lines.map((line) => (line.trim() === '' ? '' : line.slice(contentIndent)));
  if (!folded) return content.join('\n');
  return content.reduce((text, line) => (text === '' ? line : line === '' ? `${text}\n` : `${text} ${line}`), '');
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' };

/**
 * YAML quoting plus JavaScript escapes: Node 20 writes scalars with util.inspect, so `'it\'s'`,
 * backtick-quoted strings and `\x07` appear where YAML would write `'it''s'`.
 */
function unquote(text: string, quote: string): string {
  let out = '';
  for (let i = 1; i < text.length; i++) {
    const char = text[i] ?? '';
    if (char === '\\') {
      const [decoded, used] = decodeEscape(text, i + 1);
      out += decoded;
      i += used;
    } else if (char === quote) {
      if (quote !== "'" || text[i + 1] !== "'") return out;
      out += "'";
      i++;
    } else {
      out += char;
    }
  }
  return out;
}

/** Decodes the escape after a backslash at `at`; unknown ones stay as written. */
function decodeEscape(text: string, at: number): [string, number] {
  const char = text[at];
  if (char === undefined) return ['\\', 0];
  const simple = ESCAPES[char];
  if (simple !== undefined) return [simple, 1];
  const hexLength = char === 'x' ? 2 : char === 'u' ? 4 : char === 'U' ? 8 : 0;
  if (hexLength > 0) {
    const hex = text.slice(at + 1, at + 1 + hexLength);
    const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLength ? Number.parseInt(hex, 16) : Number.NaN;
    if (code <= 0x10ffff) return [String.fromCodePoint(code), 1 + hexLength];
    return [`\\${char}`, 1];
  }
  if (char === '\\' || char === "'" || char === '"' || char === '`' || char === '/') return [char, 1];
  return [`\\${char}`, 1];
}
