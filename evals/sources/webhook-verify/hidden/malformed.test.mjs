// Hidden behaviour tests of webhook-verify (the correct plugin passes them): a signature
// of any shape is a result, never an exception, and only the right digest is accepted.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const { default: plugin } = await import(pathToFileURL(resolve('src/index.js')).href);
const SECRET = 'whsec_hidden_0b7e31f2';
const NOW = 1_718_000_000;
const BODY = '{"id":"evt_hidden","type":"charge.refunded","data":{"amount":1250}}';
const quiet = () => {};
const ctx = (secret = SECRET) => ({ env: { WEBHOOK_SECRET: secret }, log: { debug: quiet, info: quiet, warn: quiet, error: quiet }, signal: new AbortController().signal, workdir: process.cwd() });
const sign = (t, secret = SECRET, alg = 'sha256', enc = 'hex') => createHmac(alg, secret).update(`${t}.${BODY}`).digest(enc);
const verify = (header, secret) => plugin.execute({ payload: BODY, signatureHeader: header, now: NOW }, ctx(secret));

test('signatures of any length or alphabet are a mismatch, not an exception', () => {
  const good = sign(NOW);
  const shapes = [
    'a', 'ab', good.slice(0, 40), good.slice(0, 63), `${good}00`, good.replace(/[0-9a-f]/, 'g'),
    `0x${good.slice(0, 62)}`, `sha256=${good}`, sign(NOW, SECRET, 'sha384', 'base64'), sign(NOW, SECRET, 'sha256', 'base64'),
    sign(NOW, SECRET, 'sha512'), 'z'.repeat(64), '='.repeat(64), `${good.slice(0, 32)} ${good.slice(33)}`,
  ];
  for (const candidate of shapes) {
    const out = verify(`t=${NOW},v1=${candidate}`);
    assert.deepEqual(out, { valid: false, reason: 'signature_mismatch', timestamp: NOW, ageSeconds: 0 }, candidate);
  }
});

test('a malformed candidate does not hide a valid one next to it', () => {
  for (const bad of ['abc', `sha256=${sign(NOW)}`, 'z'.repeat(64), sign(NOW, SECRET, 'sha1')]) {
    assert.equal(verify(`t=${NOW},v1=${bad},v1=${sign(NOW)}`).valid, true, bad);
    assert.equal(verify(`t=${NOW},v1=${sign(NOW)},v1=${bad}`).valid, true, bad);
  }
});

test('rotation: either secret is accepted, a retired one is not', () => {
  const both = `${SECRET},whsec_hidden_next_55aa`;
  assert.equal(verify(`t=${NOW},v1=${sign(NOW, 'whsec_hidden_next_55aa')}`, both).valid, true);
  assert.equal(verify(`t=${NOW},v1=${sign(NOW)}`, both).valid, true);
  assert.equal(verify(`t=${NOW},v1=${sign(NOW, 'whsec_hidden_retired')}`, both).reason, 'signature_mismatch');
});
