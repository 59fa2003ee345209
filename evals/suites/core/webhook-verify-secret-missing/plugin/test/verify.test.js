import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import plugin from '../src/index.js';
import { parseSignatureHeader } from '../src/header.js';

const SECRET = 'whsec_5f1c0a9e7b3d4c2a8e6f';
const NOW = 1_718_000_000;
const BODY = JSON.stringify({ id: 'evt_1PQ', type: 'invoice.paid', data: { amount: 4200, currency: 'eur' } });

function signed(payload, timestamp, secret = SECRET) {
  return createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
}

function ctxWith(env = { WEBHOOK_SECRET: SECRET }) {
  const noop = () => {};
  return {
    env,
    log: { debug: noop, info: noop, warn: noop, error: noop },
    signal: new AbortController().signal,
    workdir: fileURLToPath(new URL('..', import.meta.url)),
  };
}

test('accepts a correctly signed delivery', () => {
  const header = `t=${NOW - 12},v1=${signed(BODY, NOW - 12)}`;
  const out = plugin.execute({ payload: BODY, signatureHeader: header, now: NOW }, ctxWith());
  assert.deepEqual(out, { valid: true, reason: 'ok', timestamp: NOW - 12, ageSeconds: 12 });
});

test('rejects a payload that was modified after signing', () => {
  const header = `t=${NOW},v1=${signed(BODY, NOW)}`;
  const tampered = BODY.replace('4200', '42000');
  const out = plugin.execute({ payload: tampered, signatureHeader: header, now: NOW }, ctxWith());
  assert.equal(out.valid, false);
  assert.equal(out.reason, 'signature_mismatch');
});

test('rejects a signature made with another secret', () => {
  const header = `t=${NOW},v1=${signed(BODY, NOW, 'whsec_someone_else')}`;
  const out = plugin.execute({ payload: BODY, signatureHeader: header, now: NOW }, ctxWith());
  assert.equal(out.reason, 'signature_mismatch');
});

test('accepts either secret while a secret is rotated', () => {
  const header = `t=${NOW},v1=${signed(BODY, NOW, 'whsec_new_2025')}`;
  const out = plugin.execute(
    { payload: BODY, signatureHeader: header, now: NOW },
    ctxWith({ WEBHOOK_SECRET: `${SECRET}, whsec_new_2025` }),
  );
  assert.equal(out.valid, true);
});

test('accepts when one of several v1 signatures matches and ignores unknown schemes', () => {
  const stale = signed(BODY, NOW, 'whsec_retired');
  const header = `t=${NOW},v1=${stale},v1=${signed(BODY, NOW).toUpperCase()},v0=${stale}`;
  const out = plugin.execute({ payload: BODY, signatureHeader: header, now: NOW }, ctxWith());
  assert.equal(out.valid, true);
});

test('rejects timestamps outside the tolerance window in both directions', () => {
  for (const t of [NOW - 301, NOW + 301]) {
    const header = `t=${t},v1=${signed(BODY, t)}`;
    const out = plugin.execute({ payload: BODY, signatureHeader: header, now: NOW }, ctxWith());
    assert.equal(out.reason, 'timestamp_outside_tolerance');
    assert.equal(out.ageSeconds, NOW - t);
  }
});

test('a tolerance of 0 disables the timestamp check', () => {
  const t = NOW - 86_400;
  const header = `t=${t},v1=${signed(BODY, t)}`;
  const out = plugin.execute({ payload: BODY, signatureHeader: header, now: NOW, toleranceSeconds: 0 }, ctxWith());
  assert.equal(out.valid, true);
});

test('reports missing parts of the header', () => {
  const ctx = ctxWith();
  assert.equal(plugin.execute({ payload: BODY, signatureHeader: `v1=${signed(BODY, NOW)}`, now: NOW }, ctx).reason, 'missing_timestamp');
  assert.equal(plugin.execute({ payload: BODY, signatureHeader: `t=${NOW}`, now: NOW }, ctx).reason, 'missing_signature');
  assert.equal(plugin.execute({ payload: BODY, signatureHeader: '', now: NOW }, ctx).reason, 'missing_timestamp');
});

test('parses headers with spaces and ignores malformed parts', () => {
  assert.deepEqual(parseSignatureHeader(' t=123 , junk, v1=ABC ,t2=9'), { timestamp: 123, signatures: ['abc'] });
  assert.equal(parseSignatureHeader('t=12e3,v1=aa').timestamp, null);
});

test('validate fails without a secret', () => {
  assert.throws(() => plugin.validate(ctxWith({})), /WEBHOOK_SECRET/);
  assert.doesNotThrow(() => plugin.validate(ctxWith()));
});
