import { createHmac, timingSafeEqual } from 'node:crypto';

export function sign(secret, timestamp, payload) {
  // The timestamp is part of the signed content so a captured request cannot be
  // replayed later with a fresh `t`.
  return createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function digestsMatch(expectedHex, candidateHex) {
  const expected = Buffer.from(expectedHex, 'hex');
  const candidate = Buffer.from(candidateHex, 'hex');
  // timingSafeEqual throws on buffers of different lengths. The length of a digest is
  // not secret, so a wrong-length candidate is simply a mismatch.
  if (expected.length !== candidate.length) return false;
  return timingSafeEqual(expected, candidate);
}

/** True when any candidate signature matches any of the active secrets. */
export function matchesAny(secrets, timestamp, payload, candidates) {
  for (const secret of secrets) {
    const expected = sign(secret, timestamp, payload);
    // Returning on the first hit is fine: which secret matched is not sensitive.
    // What must not leak is how many leading bytes of a forged digest were right.
    for (const candidate of candidates) {
      if (digestsMatch(expected, candidate)) return true;
    }
  }
  return false;
}
