import { describe, expect, it } from 'vitest';
import { fingerprint, normaliseMessage } from '../../orchestrator/ingest/fingerprint.ts';
import { normaliseFrames, parseStack, type Frame } from '../../orchestrator/ingest/stack.ts';

const TYPE = 'TypeError';
const MESSAGE = "Cannot read properties of undefined (reading 'trim')";

/** A stack as a working copy of `plugin` captured it, normalised the way ingest does. */
function frames(plugin: string, lines: string[], root = '/tmp/steward-wc-AbC123/plugin'): Frame[] {
  const stack = [`${TYPE}: ${MESSAGE}`, ...lines.map((line) => `    at ${line.replaceAll('ROOT', root)}`)].join('\n');
  return normaliseFrames(parseStack(stack), { plugin });
}

const V1 = [
  'parseRow (ROOT/src/parse.ts:41:18)',
  'Array.map (<anonymous>)',
  'parseAll (ROOT/src/parse.ts:60:22)',
  'Papa.parse (ROOT/node_modules/papaparse/papaparse.js:100:20)',
  'importFile (ROOT/src/import.ts:12:5)',
  'run (ROOT/src/index.ts:3:1)',
];

function of(plugin: string, stackFrames: Frame[], message = MESSAGE, type = TYPE): ReturnType<typeof fingerprint> {
  return fingerprint({ plugin, type, message, frames: stackFrames });
}

describe('fingerprint from frames', () => {
  const base = of('csv-import', frames('csv-import', V1));

  it('is 32 hex digits with the frames as basis', () => {
    expect(base.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(base.basis).toBe('frames');
  });

  it('ignores line and column numbers, the working copy path and the message', () => {
    const shifted = V1.map((line) => line.replace(/:(\d+):(\d+)\)/, (_match, l: string, c: string) => `:${Number(l) + 7}:${Number(c) + 3})`));
    expect(shifted).not.toEqual(V1);
    const nextVersion = frames('csv-import', shifted, '/tmp/steward-wc-XyZ789/plugin');
    expect(of('csv-import', nextVersion)).toEqual(base);
    // The same files under the library layout.
    expect(of('csv-import', frames('csv-import', V1, '/srv/library/plugins/csv-import'))).toEqual(base);
    expect(of('csv-import', nextVersion, "Cannot read properties of undefined (reading 'split')")).toEqual(base);
  });

  it('changes with the top in-app function or file', () => {
    const otherFunction = V1.map((line) => line.replace('parseRow', 'parseCell'));
    expect(of('csv-import', frames('csv-import', otherFunction)).fingerprint).not.toBe(base.fingerprint);
    const otherFile = V1.map((line) => line.replace('src/parse.ts:41', 'src/cells.ts:41'));
    expect(of('csv-import', frames('csv-import', otherFile)).fingerprint).not.toBe(base.fingerprint);
    const thirdInApp = V1.map((line) => line.replace('importFile', 'importUrl'));
    expect(of('csv-import', frames('csv-import', thirdInApp)).fingerprint).not.toBe(base.fingerprint);
  });

  it('uses only the top three in-app frames', () => {
    const fourthInApp = V1.map((line) => line.replace('run (', 'main ('));
    expect(of('csv-import', frames('csv-import', fourthInApp))).toEqual(base);
    const otherDependency = V1.map((line) => line.replace('Papa.parse', 'Papa.unparse').replace('papaparse.js:100', 'papaparse.min.js:1'));
    expect(of('csv-import', frames('csv-import', otherDependency))).toEqual(base);
  });

  it('never matches across plugins or error types', () => {
    const other = of('tsv-import', frames('tsv-import', V1));
    expect(other.basis).toBe('frames');
    expect(other.fingerprint).not.toBe(base.fingerprint);
    expect(of('csv-import', frames('csv-import', V1), MESSAGE, 'RangeError').fingerprint).not.toBe(base.fingerprint);
  });

  it('keeps the parts apart', () => {
    const frame = (fn: string, file: string): Frame => ({ function: fn, file, line: 1, column: 1, inApp: true, raw: '' });
    expect(fingerprint({ plugin: 'ab', type: 'c', message: '', frames: [frame('f', 'x.ts')] }).fingerprint).not.toBe(
      fingerprint({ plugin: 'a', type: 'bc', message: '', frames: [frame('f', 'x.ts')] }).fingerprint,
    );
    expect(fingerprint({ plugin: 'p', type: 't', message: '', frames: [frame('f', 'x.ts'), frame('g', 'y.ts')] }).fingerprint).not.toBe(
      fingerprint({ plugin: 'p', type: 't', message: '', frames: [frame('f', 'x.ts'), frame('g', 'z.ts')] }).fingerprint,
    );
  });
});

describe('fingerprint from the message', () => {
  it('falls back to the message when no frame is in-app', () => {
    expect(of('csv-import', []).basis).toBe('message');
    const outside = frames('csv-import', ['Papa.parse (ROOT/node_modules/papaparse/papaparse.js:100:20)', 'fn (node:internal/process/task_queues:95:5)']);
    expect(outside.some((frame) => frame.inApp)).toBe(false);
    expect(of('csv-import', outside)).toEqual(of('csv-import', []));
  });

  it('groups messages that differ only in numbers, ids, uuids, hex and times', () => {
    const a = of('csv-import', [], 'Row 17 of upload 6f1c2a9e-0b7d-4c1e-9a55-3d2f1b0c8e71 failed at 2026-11-21T10:04:05.123Z: object 0x7ffd3a2c, sha 3f9c2b1e4d5a6b7c, 3 retries');
    const b = of('csv-import', [], 'Row 4096 of upload 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d failed at 2026-12-01T23:59:59Z: object 0x10, sha 9a8b7c6d5e4f3a2b, 12 retries');
    expect(a.basis).toBe('message');
    expect(a).toEqual(b);
    expect(of('csv-import', [], 'Row 17 failed')).not.toEqual(of('csv-import', [], 'Column 17 failed'));
  });

  it('separates messages that name a different property', () => {
    expect(of('csv-import', [], "Cannot read properties of undefined (reading 'trim')")).not.toEqual(of('csv-import', [], "Cannot read properties of undefined (reading 'split')"));
  });

  it('separates plugins with the same message', () => {
    expect(of('csv-import', []).fingerprint).not.toBe(of('tsv-import', []).fingerprint);
  });
});

describe('normaliseMessage', () => {
  it.each([
    ["Cannot read properties of undefined (reading 'trim')", "Cannot read properties of undefined (reading 'trim')"],
    ['Row 17 has 3 columns, expected 4.5', 'Row <num> has <num> columns, expected <num>'],
    ['id 6F1C2A9E-0B7D-4C1E-9A55-3D2F1B0C8E71 missing', 'id <uuid> missing'],
    ['at 2026-11-21T10:04:05.123Z and 2026-11-21 10:04:05+01:00 and 2026-11-21', 'at <ts> and <ts> and <ts>'],
    ['pointer 0xDEADbeef, commit 3f9c2b1e4d5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c', 'pointer <hex>, commit <hex>'],
    ['mail bob.smith+tag@example.co.uk bounced', 'mail <email> bounced'],
    ['connect ECONNREFUSED 10.0.12.7:5432', 'connect ECONNREFUSED <ip>:<num>'],
    ['connect ECONNREFUSED ::1:6379 and fe80::1ff:fe23:4567:890a', 'connect ECONNREFUSED <ip> and <ip>'],
    ['GET https://api.example.com/v1/items/77?page=2&token=abc failed', 'GET https://api.example.com/v1/items/<num>?<str> failed'],
    ['Unexpected token \'o\', "not valid json at all" is not valid JSON', "Unexpected token 'o', <str> is not valid JSON"],
    ['Cannot find module "./lib/parse.js" from \'src\'', 'Cannot find module "./lib/parse.js" from \'src\''],
    [`bad value '${'x'.repeat(41)}'`, 'bad value <str>'],
    ["can't parse, don't retry", "can't parse, don't retry"],
    ['  many\n\n  spaces\there  ', 'many spaces here'],
    ['utf8 and Int32Array and sha256 stay; user_42 and 250ms do not', 'utf8 and Int32Array and sha256 stay; user_<num> and <num>ms do not'],
    ['timeout at 10:04:05', 'timeout at <num>:<num>:<num>'],
  ])('%s', (input, expected) => {
    expect(normaliseMessage(input)).toBe(expected);
  });

  it('keeps long messages bounded', () => {
    expect(normaliseMessage(`x ${'word '.repeat(10_000)}`).length).toBeLessThanOrEqual(4096);
  });
});
