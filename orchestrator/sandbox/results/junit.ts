import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { limitFailure, NAME_SEPARATOR, type ParsedTests, type TestCase } from './types.ts';

type XmlRecord = Record<string, unknown>;

const ATTR = '@_';
const TEXT = '#text';
const CDATA = '#cdata';
const ALWAYS_ARRAYS = new Set(['testsuite', 'testcase', 'failure', 'error', 'skipped']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  textNodeName: TEXT,
  // CDATA apart from text: its '&lt;' is literal and must not be decoded.
  cdataPropName: CDATA,
  // Names like "1" or "1e3" and times stay strings; this module converts what it needs.
  parseTagValue: false,
  parseAttributeValue: false,
  // No entity expansion at all, so a DOCTYPE cannot inflate the report (billion laughs) or pull in other
  // text; fast-xml-parser refuses external (SYSTEM/PUBLIC) entities outright. The five XML entities and
  // character references are decoded here instead, see decodeXml.
  processEntities: false,
  htmlEntities: false,
  isArray: (tagName) => ALWAYS_ARRAYS.has(tagName),
});

/** Reads a JUnit XML report (pytest, unittest-xml-reporting, jest-junit, Surefire style). Never throws. */
export function parseJUnit(xml: string): ParsedTests {
  const text = String(xml).replace(/^\uFEFF/, '');
  if (text.trim() === '') return failed('the JUnit report is empty');
  const document = parseDocument(text);
  if (typeof document === 'string') return failed(document);
  const root = document.testsuites ?? document.testsuite;
  if (root === undefined) return failed('no <testsuites> or <testsuite> element in the JUnit report');
  const tests: TestCase[] = [];
  collectCases(asArray(root), tests);
  return { tests, warnings: [], incomplete: false };
}

function failed(warning: string): ParsedTests {
  return { tests: [], warnings: [warning], incomplete: false };
}

/** The parsed document, or why it could not be read. */
function parseDocument(text: string): XmlRecord | string {
  try {
    // The parser itself accepts unbalanced tags silently; the validator does not.
    const valid = XMLValidator.validate(text);
    if (valid !== true) return `malformed JUnit XML: ${valid.err.msg} (line ${valid.err.line})`;
    const document: unknown = parser.parse(text);
    return isRecord(document) ? document : 'the JUnit report has no elements';
  } catch (error) {
    return `could not read the JUnit XML: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Depth-first over nested <testsuites>/<testsuite>; the parser caps nesting, so recursion stays shallow. */
function collectCases(containers: unknown[], tests: TestCase[]): void {
  for (const container of containers) {
    if (!isRecord(container)) continue;
    for (const testcase of asArray(container.testcase)) {
      if (isRecord(testcase)) tests.push(toTestCase(testcase));
    }
    collectCases(asArray(container.testsuite), tests);
    collectCases(asArray(container.testsuites), tests);
  }
}

function toTestCase(testcase: XmlRecord): TestCase {
  const problems = [...asArray(testcase.failure), ...asArray(testcase.error)];
  const test: TestCase = {
    name: caseName(testcase),
    outcome: problems.length > 0 ? 'fail' : asArray(testcase.skipped).length > 0 ? 'skip' : 'pass',
  };
  const durationMs = secondsToMs(attribute(testcase, 'time'));
  if (durationMs !== undefined) test.durationMs = durationMs;
  if (problems.length > 0) {
    const failure = limitFailure(
      problems
        .map(problemText)
        .filter((part) => part !== '')
        .join('\n'),
    );
    if (failure !== undefined) test.failure = failure;
  }
  return test;
}

function caseName(testcase: XmlRecord): string {
  const name = attribute(testcase, 'name') ?? '';
  const classname = attribute(testcase, 'classname') ?? '';
  // jest-junit writes the full title into both by default; repeating it says nothing.
  if (classname === '' || classname === name) return name !== '' ? name : classname || '(unnamed)';
  return name === '' ? classname : `${classname}${NAME_SEPARATOR}${name}`;
}

/** The message attribute is the summary tools write for humans; the body is a whole traceback. */
function problemText(element: unknown): string {
  const message = isRecord(element) ? (attribute(element, 'message') ?? '') : '';
  return message.trim() !== '' ? message.trim() : elementText(element).trim();
}

function elementText(element: unknown): string {
  if (typeof element === 'string') return decodeXml(element);
  if (!isRecord(element)) return '';
  const text = asArray(element[TEXT]).filter(isString).map(decodeXml).join('');
  const cdata = asArray(element[CDATA]).filter(isString).join('');
  return text + cdata;
}

function attribute(element: XmlRecord, name: string): string | undefined {
  const value = element[`${ATTR}${name}`];
  return typeof value === 'string' ? decodeXml(value) : undefined;
}

function secondsToMs(time: string | undefined): number | undefined {
  if (time === undefined) return undefined;
  // Some writers group thousands ("1,234.5").
  const seconds = Number(time.trim().replace(/,(?=\d{3}(?:\D|$))/g, ''));
  if (time.trim() === '' || !Number.isFinite(seconds) || seconds < 0) return undefined;
  // Rounded to microseconds: 0.545 * 1000 is 545.0000000000001.
  return Math.round(seconds * 1e6) / 1e3;
}

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The predefined entities and character references only; anything a DOCTYPE declares stays as written. */
function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
    if (!ref.startsWith('#')) return XML_ENTITIES[ref] ?? whole;
    const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isRecord(value: unknown): value is XmlRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
