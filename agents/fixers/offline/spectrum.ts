import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRegularFile } from '../../../orchestrator/core/files.ts';
import { confinedPath } from '../workspace.ts';
import { decodeMappings } from './source-map.ts';

/** The sandboxed code wrote the coverage files: how much of them steward will read. */
const LIMITS = { files: 2000, bytes: 32 * 1024 * 1024, total: 256 * 1024 * 1024, scripts: 10_000, ranges: 200_000 };

/** Lines each plugin file had run, in one test or one process (one coverage file). */
export type LineCoverage = Map<string, Set<number>>;

/** Adds the lines `more` ran to `into`, file by file: what either ran, ran. */
export function addCoverage(into: LineCoverage, more: Iterable<[string, Iterable<number>]>): LineCoverage {
  for (const [file, lines] of more) {
    const known = into.get(file);
    if (known) for (const line of lines) known.add(line);
    else into.set(file, new Set(lines));
  }
  return into;
}

interface V8Range {
  startOffset: number;
  endOffset: number;
  count: number;
}

interface V8Script {
  url: string;
  functions: { ranges: V8Range[] }[];
}

/** Dependencies, and steward's own coverage helpers that the copy holds while it is measured. */
const NOT_PLUGIN = /(^|\/)node_modules\/|^\.steward/;

/** JavaScript as it is; TypeScript through the source map its loader left in the coverage file. */
const COVERED_FILE = /\.[cm]?[jt]s$/;

/** What Node writes beside the coverage when a loader (tsx) made the code it ran. */
interface SourceMapEntry {
  lineLengths?: number[];
  data?: { mappings?: string; sources?: string[] };
}

/**
 * Whether the code at an offset ran: the innermost V8 block range around it ran at
 * least once (V8's block coverage nests ranges, a function's whole body first, then
 * the blocks inside it that ran a different number of times).
 */
function ranAt(script: V8Script): (offset: number) => boolean {
  const ranges = script.functions.flatMap((f) => f.ranges).sort((a, b) => a.endOffset - a.startOffset - (b.endOffset - b.startOffset));
  return (offset) => (ranges.find((r) => r.startOffset <= offset && offset < r.endOffset)?.count ?? 0) > 0;
}

/** The lines of one script that ran: a line counts when the code at its first character ran. */
function coveredLines(source: string, script: V8Script): Set<number> {
  const ran = ranAt(script);
  const covered = new Set<number>();
  let offset = 0;
  source.split('\n').forEach((line, index) => {
    const first = offset + (line.length - line.trimStart().length);
    offset += line.length + 1;
    if (line.trim() === '') return;
    if (ran(first)) covered.add(index + 1);
  });
  return covered;
}

type Report = {
  result?: V8Script[];
  stewardPythonCoverage?: number;
  files?: Record<string, unknown>;
  'source-map-cache'?: Record<string, SourceMapEntry>;
  stewardTest?: { passed?: unknown };
};

/** One execution Ochiai counts: a test, or a whole process when its tests could not be told apart. */
export interface CoverageRun {
  lines: LineCoverage;
  /** Set for a single test (the per-test hook's files): whether it passed. */
  passed?: boolean;
}

/** Node's own file, `coverage-<pid>-<time>-<thread>.json`, and the per-test hook's, `steward-test-<pid>-<n>.json`. */
const NODE_FILE = /^coverage-(\d+)-\d+-(\d+)\.json$/;
const TEST_FILE = /^steward-test-(\d+)-\d+\.json$/;

/**
 * The coverage files written into `dir` as the lines of the plugin's files under
 * `root` (its working copy) that ran: one run a test where the per-test hook wrote
 * them, else one run a process (Node's NODE_V8_COVERAGE, or our Python
 * `sitecustomize`). A process whose tests were split lends its own files' source
 * maps to them (every thread's, merged); its main thread's file is no run of its
 * own, a worker thread's is. Files are read one at a time: they are the sandboxed
 * code's writing, and at most `LIMITS.total` bytes of them are read. `sources`
 * caches the plugin's files by path, for a caller that reads several directories.
 */
export function readCoverage(dir: string, root: string, sources: Map<string, string | undefined> = new Map()): CoverageRun[] {
  if (!existsSync(dir) || !existsSync(root)) return [];
  // Node names scripts by their real path.
  const real = realpathSync(root);
  const names = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .slice(0, LIMITS.files);
  const split = new Set(names.flatMap((name) => TEST_FILE.exec(name)?.[1] ?? []));
  let budget = LIMITS.total;
  const read = (name: string): Report | undefined => {
    if (budget <= 0) return undefined;
    const got = readReport(join(dir, name));
    budget -= got?.size ?? 0;
    return got?.report;
  };
  const runs: CoverageRun[] = [];
  const maps = new Map<string, Record<string, SourceMapEntry>>();
  for (const name of names) {
    const own = NODE_FILE.exec(name);
    if (!own || !split.has(own[1]!)) continue;
    const report = read(name);
    const cache = report && sourceMapsOf(report);
    if (cache) maps.set(own[1]!, { ...maps.get(own[1]!), ...cache });
    if (report && own[2] !== '0') runs.push({ lines: nodeLines(report, real, cache, sources) });
  }
  for (const name of names) {
    const own = NODE_FILE.exec(name);
    if (own && split.has(own[1]!)) continue;
    const report = read(name);
    if (!report) continue;
    const test = TEST_FILE.exec(name);
    if (report.stewardPythonCoverage === 1) runs.push({ lines: pythonLines(report.files, real), ...outcome(report) });
    else runs.push({ lines: nodeLines(report, real, sourceMapsOf(report) ?? (test ? maps.get(test[1]!) : undefined), sources), ...(test ? outcome(report) : {}) });
  }
  return runs.filter((run) => run.lines.size > 0);
}

function sourceMapsOf(report: Report): Record<string, SourceMapEntry> | undefined {
  const cache = report['source-map-cache'];
  return typeof cache === 'object' && cache !== null && !Array.isArray(cache) ? cache : undefined;
}

const outcome = (report: Report): { passed?: boolean } => (typeof report.stewardTest?.passed === 'boolean' ? { passed: report.stewardTest.passed } : {});

function readReport(path: string): { report: Report; size: number } | undefined {
  let text: string | undefined;
  try {
    text = readRegularFile(path, LIMITS.bytes);
  } catch {
    return undefined; // A link, which O_NOFOLLOW refuses.
  }
  if (text === undefined) return undefined;
  try {
    const report = JSON.parse(text) as unknown;
    return typeof report === 'object' && report !== null ? { report: report as Report, size: text.length } : undefined;
  } catch {
    return undefined;
  }
}

/** The lines of the plugin's JavaScript and TypeScript files a V8 report says ran. */
function nodeLines(report: Report, real: string, sourceMaps: Record<string, SourceMapEntry> | undefined, sources: Map<string, string | undefined>): LineCoverage {
  const lines: LineCoverage = new Map();
  const prefix = `${real.replace(/\/+$/, '')}/`;
  for (const script of Array.isArray(report.result) ? report.result.slice(0, LIMITS.scripts) : []) {
    if (typeof script !== 'object' || script === null || typeof script.url !== 'string' || !script.url.startsWith('file://') || !Array.isArray(script.functions)) continue;
    if (!script.functions.every((f) => typeof f === 'object' && f !== null && Array.isArray(f.ranges))) continue;
    if (script.functions.reduce((n, f) => n + f.ranges.length, 0) > LIMITS.ranges) continue;
    let path: string;
    try {
      path = fileURLToPath(script.url);
    } catch {
      continue;
    }
    const file = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
    if (!file || !COVERED_FILE.test(file) || NOT_PLUGIN.test(file)) continue;
    if (!sources.has(file)) {
      try {
        sources.set(file, readRegularFile(confinedPath(real, file), LIMITS.bytes));
      } catch {
        sources.set(file, undefined);
      }
    }
    const source = sources.get(file);
    if (source === undefined) continue;
    const map = sourceMaps?.[script.url];
    const ran = map ? mappedLines(map, script) : /\.[cm]?js$/.test(file) ? coveredLines(source.replace(/^\uFEFF/, ''), script) : undefined;
    // A loader may compile one file twice, and a test's report repeats the load's scripts: what either ran, ran.
    if (ran) addCoverage(lines, [[file, ran]]);
  }
  return lines;
}

/**
 * The original lines of a loader-made script that ran: for each line of the source,
 * its first mapped position in the generated code, judged as `coveredLines` judges a
 * line (the innermost V8 range around it ran). Undefined when the map is unusable.
 */
function mappedLines(map: SourceMapEntry, script: V8Script): Set<number> | undefined {
  if (!firstOffsets.has(map)) firstOffsets.set(map, decodeFirstOffsets(map));
  const first = firstOffsets.get(map);
  if (!first) return undefined;
  const ran = ranAt(script);
  const covered = new Set<number>();
  for (const [line, offset] of first) if (ran(offset)) covered.add(line + 1);
  return covered;
}

/** Decoded once a map: every test of a process borrows the same one. */
const firstOffsets = new WeakMap<SourceMapEntry, Map<number, number> | undefined>();

/** Each original line's first mapped offset in the generated code; undefined when the map is unusable. */
function decodeFirstOffsets(map: SourceMapEntry): Map<number, number> | undefined {
  const lengths = map.lineLengths;
  const mappings = map.data?.mappings;
  if (!Array.isArray(lengths) || typeof mappings !== 'string' || mappings.length > LIMITS.bytes) return undefined;
  const starts: number[] = [0];
  for (const length of lengths) starts.push((starts.at(-1) ?? 0) + (Number(length) || 0) + 1);
  const first = new Map<number, number>();
  for (const segment of decodeMappings(mappings)) {
    // One source per script: what tsx makes of one file.
    if (segment.source !== 0) continue;
    const offset = (starts[segment.genLine] ?? Number.NaN) + segment.genCol;
    const known = first.get(segment.line);
    if (Number.isFinite(offset) && (known === undefined || offset < known)) first.set(segment.line, offset);
  }
  return first;
}

/** The lines of one Python process (our sitecustomize's file): plugin files only, as the copy has them. */
function pythonLines(files: Record<string, unknown> | undefined, root: string): LineCoverage {
  const lines: LineCoverage = new Map();
  for (const [file, numbers] of Object.entries(files ?? {}).slice(0, LIMITS.files * 4)) {
    if (!file.endsWith('.py') || NOT_PLUGIN.test(file) || !Array.isArray(numbers)) continue;
    try {
      confinedPath(root, file);
    } catch {
      continue;
    }
    lines.set(file, new Set(numbers.filter((n): n is number => Number.isInteger(n) && n > 0).slice(0, LIMITS.ranges)));
  }
  return lines;
}

/**
 * Ochiai suspiciousness of each line the failing run executed: failed(s) /
 * sqrt(totalFailed × (failed(s) + passed(s))), with the failing reproduction as the
 * one failing execution and each test process as a passing one. A line only the
 * failing run reached scores 1; one every passing run reached too scores least.
 */
export function ochiai(failing: LineCoverage[], passing: LineCoverage[]): { file: string; line: number; score: number }[] {
  const failed = new Map<string, number>();
  for (const run of failing) for (const [file, lines] of run) for (const line of lines) failed.set(`${file}:${line}`, (failed.get(`${file}:${line}`) ?? 0) + 1);
  const out: { file: string; line: number; score: number }[] = [];
  for (const [key, f] of failed) {
    const at = key.lastIndexOf(':');
    const file = key.slice(0, at);
    const line = Number(key.slice(at + 1));
    const p = passing.filter((run) => run.get(file)?.has(line)).length;
    out.push({ file, line, score: f / Math.sqrt(failing.length * (f + p)) });
  }
  return out.sort((a, b) => b.score - a.score || a.file.localeCompare(b.file) || a.line - b.line);
}
