import { parseSignatureHeader } from './header.js';
import { matchesAny } from './verify.js';

const DEFAULT_TOLERANCE_SECONDS = 300;

// WEBHOOK_SECRET may hold several comma-separated secrets while a secret is being
// rotated: the sender signs with the new one before every receiver has it.
function secretsFrom(env) {
  const raw = env?.WEBHOOK_SECRET ?? '';
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function result(valid, reason, timestamp, ageSeconds) {
  return { valid, reason, timestamp, ageSeconds };
}

const plugin = {
  name: 'webhook-verify',

  validate(ctx) {
    if (secretsFrom(ctx.env).length === 0) {
      throw new Error('WEBHOOK_SECRET is empty; every delivery would be rejected');
    }
  },

  execute(input, ctx) {
    const secrets = secretsFrom(ctx.env);
    if (secrets.length === 0) throw new Error('WEBHOOK_SECRET is not configured');

    const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    const now = input.now ?? Math.floor(Date.now() / 1000);
    const { timestamp, signatures } = parseSignatureHeader(input.signatureHeader);

    if (timestamp === null) return result(false, 'missing_timestamp', null, null);
    const ageSeconds = now - timestamp;
    if (signatures.length === 0) return result(false, 'missing_signature', timestamp, ageSeconds);
    // Tolerance applies both ways: a sender clock running ahead is as suspicious as a replay.
    if (tolerance > 0 && Math.abs(ageSeconds) > tolerance) {
      return result(false, 'timestamp_outside_tolerance', timestamp, ageSeconds);
    }

    const valid = matchesAny(secrets, timestamp, input.payload, signatures);
    // Never log the header or the secret; the age is enough to debug clock skew.
    ctx.log?.info?.({ valid, ageSeconds, candidates: signatures.length }, 'webhook verified');
    return result(valid, valid ? 'ok' : 'signature_mismatch', timestamp, ageSeconds);
  },

  help() {
    return [
      'webhook-verify: check the HMAC-SHA256 signature of a webhook delivery.',
      'input:  { payload: <raw body string>, signatureHeader: "t=<unix>,v1=<hex>", toleranceSeconds?, now? }',
      'output: { valid, reason, timestamp, ageSeconds }',
      'Secret: env WEBHOOK_SECRET (comma-separated during rotation).',
    ].join('\n');
  },
};

export default plugin;
