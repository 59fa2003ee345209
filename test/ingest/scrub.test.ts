import { describe, expect, it } from 'vitest';
import type { ErrorEvent } from '../../orchestrator/ingest/event.ts';
import { errorEventSchema } from '../../orchestrator/ingest/event.ts';
import { scrubEvent, scrubText, scrubValue } from '../../orchestrator/ingest/scrub.ts';

// Secrets are built at run time from a seeded generator so no real-looking token sits in the source.
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE64 = `${ALNUM}+/`;
const HEX = '0123456789abcdef';
const DIGITS = '0123456789';

let seed = 20_261_121;
/** mulberry32: deterministic, well spread. */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
function chars(length: number, alphabet = ALNUM): string {
  let out = '';
  for (let index = 0; index < length; index++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}
const base64url = (text: string): string => Buffer.from(text).toString('base64url');

/** Context that must survive every scrub. */
const GIT_SHA = '3f9c2b1e4d5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c';
const UUID = '6f1c2a9e-0b7d-4c1e-9a55-3d2f1b0c8e71';
const SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

interface SecretForm {
  name: string;
  /** How the secret appears in free text. */
  text: string;
  /** Strings that must appear nowhere after scrubbing. */
  leaks: string[];
  /** Strings of `text` that must survive (key names, hosts, schemes). */
  keeps: string[];
  /** Declared secret values (a plugin's secret env vars). */
  secrets?: string[];
}

function forms(): SecretForm[] {
  const bearer = `${chars(24)}.${chars(16)}-${chars(8)}`;
  const basic = Buffer.from(`importer:${chars(14)}`).toString('base64');
  const ghp = `gh${'p_'}${chars(36)}`;
  const ghs = `gh${'s_'}${chars(36)}`;
  const fineGrained = `github${'_pat_'}${chars(22)}_${chars(59)}`;
  const akia = `AK${'IA'}${chars(16, UPPER_NUM)}`;
  const asia = `AS${'IA'}${chars(16, UPPER_NUM)}`;
  const awsSecret = chars(40, BASE64);
  const slack = `xo${'xb-'}${chars(12, DIGITS)}-${chars(13, DIGITS)}-${chars(24)}`;
  const webhookPath = `T${chars(8, UPPER_NUM)}/B${chars(10, UPPER_NUM)}/${chars(24)}`;
  const urlPassword = `${chars(12)}%40${chars(6)}`;
  const dbPassword = `${chars(10)}-${chars(6)}!`;
  const apiKey = chars(32, HEX);
  const clientSecret = chars(28);
  const jwtPayload = base64url(JSON.stringify({ sub: 'user-1', tenant: 't-9', exp: 1_900_000_000 }));
  const jwtSignature = chars(43, `${ALNUM}-_`);
  const jwt = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${jwtPayload}.${jwtSignature}`;
  const pemLines = [chars(64, BASE64), chars(64, BASE64), `${chars(40, BASE64)}==`];
  const stripe = `sk_${'live_'}${chars(24)}`;
  const google = `AI${'za'}${chars(35, `${ALNUM}_-`)}`;
  const npm = `np${'m_'}${chars(36)}`;
  const signature = chars(64, HEX);
  const cookie = chars(32, BASE64);
  const declared = `correct-horse-${chars(10)}`;
  return [
    { name: 'bearer header', text: `Authorization: Bearer ${bearer}`, leaks: [bearer], keeps: ['Authorization: Bearer'] },
    { name: 'bearer in prose', text: `retrying with Bearer ${bearer} after 401`, leaks: [bearer], keeps: ['retrying with Bearer', 'after 401'] },
    { name: 'basic credentials', text: `Authorization: Basic ${basic}`, leaks: [basic], keeps: ['Authorization: Basic'] },
    { name: 'GitHub classic token', text: ghp, leaks: [ghp, ghp.slice(4)], keeps: [] },
    { name: 'GitHub server token', text: `git clone https://x-access-token:${ghs}@github.com/acme/repo.git`, leaks: [ghs], keeps: ['github.com/acme/repo.git', 'x-access-token'] },
    { name: 'GitHub fine-grained token', text: fineGrained, leaks: [fineGrained, fineGrained.slice(11)], keeps: [] },
    { name: 'AWS access key id', text: `using key ${akia} in eu-west-1`, leaks: [akia], keeps: ['eu-west-1'] },
    { name: 'AWS temporary key id', text: asia, leaks: [asia], keeps: [] },
    { name: 'AWS secret key, labelled', text: `aws_secret_access_key=${awsSecret}`, leaks: [awsSecret], keeps: ['aws_secret_access_key='] },
    { name: 'Slack token', text: `slack says invalid_auth for ${slack}`, leaks: [slack], keeps: ['invalid_auth'] },
    {
      name: 'Slack webhook',
      text: `POST https://hooks.slack.com/services/${webhookPath} returned 404`,
      leaks: [webhookPath],
      keeps: ['https://hooks.slack.com/services/', 'returned 404'],
    },
    { name: 'password in a URL', text: `postgres://steward:${urlPassword}@db.internal:5432/app`, leaks: [urlPassword], keeps: ['postgres://steward:', '@db.internal:5432/app'] },
    { name: 'key=value', text: `connect failed db_password=${dbPassword}&db_user=steward`, leaks: [dbPassword], keeps: ['db_password=', '&db_user=steward'] },
    { name: 'header key: value', text: `x-api-key: ${apiKey}`, leaks: [apiKey], keeps: ['x-api-key:'] },
    { name: 'JSON pair in text', text: `{"client_secret":"${clientSecret}","region":"eu-west-1"}`, leaks: [clientSecret], keeps: ['client_secret', 'eu-west-1'] },
    { name: 'JWT', text: `token expired: ${jwt}`, leaks: [jwt, jwtPayload, jwtSignature], keeps: ['expired'] },
    {
      name: 'PEM private key',
      text: `key file: -----BEGIN RSA PRIVATE KEY-----\n${pemLines.join('\n')}\n-----END RSA PRIVATE KEY----- (loaded)`,
      leaks: pemLines,
      keeps: ['key file:', '(loaded)'],
    },
    { name: 'Stripe key', text: `stripe rejected ${stripe}`, leaks: [stripe], keeps: ['stripe rejected'] },
    { name: 'Google API key', text: `https://maps.googleapis.com/maps/api/geocode/json?key=${google}`, leaks: [google], keeps: ['maps.googleapis.com'] },
    { name: 'npm token', text: `//registry.npmjs.org/:_authToken=${npm}`, leaks: [npm], keeps: ['registry.npmjs.org'] },
    { name: 'labelled hex secret', text: `webhook signature=${signature} did not match`, leaks: [signature], keeps: ['signature=', 'did not match'] },
    { name: 'cookie header', text: `Cookie: session=${cookie}; theme=dark`, leaks: [cookie], keeps: ['Cookie:'] },
    { name: 'declared secret', text: `login as admin with ${declared} failed`, leaks: [declared], keeps: ['login as admin with', 'failed'], secrets: [declared] },
  ];
}

/** One event holding `text` in every scrubbed place, and the bare secret under secret-looking keys. */
function eventWith(form: SecretForm): ErrorEvent {
  const bare = form.leaks[0] ?? '';
  return errorEventSchema.parse({
    id: 'evt-1',
    timestamp: '2026-11-21T10:04:05.123Z',
    plugin: 'csv-import',
    pluginVersion: '1.4.2',
    environment: 'production',
    level: 'error',
    error: {
      type: 'Error',
      message: `upstream call failed: ${form.text} (commit ${GIT_SHA}, request ${UUID})`,
      stack: `Error: upstream call failed: ${form.text}\n    at callUpstream (src/client.ts:12:5)\n    at run (src/index.ts:3:1)`,
      code: 'E_UPSTREAM',
    },
    invocation: {
      operation: 'execute',
      input: {
        config: { nested: { deeper: [{ note: form.text }, 'ordinary words', 42] } },
        list: ['ordinary words', form.text, [form.text]],
        plain: form.text,
        password: bare,
        apiKey: bare,
        connection: { user: 'steward', secret: bare },
        digest: SHA256,
        commit: GIT_SHA,
      },
    },
    host: { name: 'web-1', runtime: 'node 20.20.2' },
    tags: { tenant: 't-9', note: form.text, auth_token: bare },
  });
}

describe('scrubEvent', () => {
  const all = forms();

  it('covers at least 15 secret forms', () => {
    expect(all.length).toBeGreaterThanOrEqual(15);
    expect(new Set(all.flatMap((form) => form.leaks)).size).toBeGreaterThanOrEqual(all.length);
  });

  it.each(all.map((form) => [form.name, form] as const))('%s: gone from every field, context kept', (_name, form) => {
    const event = eventWith(form);
    // The secret is really there before scrubbing.
    for (const leak of form.leaks) expect(JSON.stringify(event)).toContain(leak);

    const scrubbed = scrubEvent(event, form.secrets);
    const text = JSON.stringify(scrubbed);
    for (const leak of form.leaks) expect(text).not.toContain(leak);
    for (const keep of form.keeps) {
      expect(scrubbed.error.message).toContain(keep);
      expect(scrubbed.error.stack).toContain(keep);
      expect(scrubbed.tags?.note).toContain(keep);
    }

    // Around the secret, the message, stack, input and tags are intact.
    expect(scrubbed.error.message).toMatch(/^upstream call failed: /);
    expect(scrubbed.error.message).toContain('[redacted]');
    expect(scrubbed.error.message.endsWith(`(commit ${GIT_SHA}, request ${UUID})`)).toBe(true);
    expect(scrubbed.error.stack).toContain('\n    at callUpstream (src/client.ts:12:5)\n    at run (src/index.ts:3:1)');
    const input = scrubbed.invocation?.input as Record<string, unknown>;
    expect(input.password).toBe('[redacted]');
    expect(input.apiKey).toBe('[redacted]');
    expect(input.connection).toEqual({ user: 'steward', secret: '[redacted]' });
    expect(input.digest).toBe(SHA256);
    expect(input.commit).toBe(GIT_SHA);
    expect(input.list).toEqual(['ordinary words', expect.stringContaining('[redacted]'), [expect.stringContaining('[redacted]')]]);
    expect(input.config).toEqual({ nested: { deeper: [{ note: expect.stringContaining('[redacted]') }, 'ordinary words', 42] } });
    expect(scrubbed.tags).toEqual({ tenant: 't-9', note: expect.stringContaining('[redacted]'), auth_token: '[redacted]' });
    expect(scrubbed.host).toEqual({ name: 'web-1', runtime: 'node 20.20.2' });
    expect(scrubbed).toMatchObject({ id: 'evt-1', plugin: 'csv-import', pluginVersion: '1.4.2', environment: 'production', level: 'error' });
    expect(errorEventSchema.safeParse(scrubbed).success).toBe(true);
  });

  it('needs the declared values to find a secret that has no shape', () => {
    const form = all.find((candidate) => candidate.name === 'declared secret');
    expect(form).toBeDefined();
    if (!form) return;
    const leak = form.leaks[0] ?? '';
    expect(JSON.stringify(scrubEvent(eventWith(form)))).toContain(leak);
    expect(JSON.stringify(scrubEvent(eventWith(form), form.secrets))).not.toContain(leak);
    // Short declared values would shred ordinary text: they are ignored.
    expect(scrubText('abc abc', ['abc'])).toBe('abc abc');
    // URL-encoded, a declared value is still found.
    expect(scrubText(`https://x.test/?q=${encodeURIComponent('p@ss w0rd/x')}`, ['p@ss w0rd/x'])).toBe('https://x.test/?q=[redacted]');
  });

  it('scrubs declared secrets in host, environment, operation, error type and code, and in tag and input keys', () => {
    const secret = 'Zq9-declared-Xk2';
    const event = errorEventSchema.parse({
      id: 'evt-2',
      timestamp: '2026-11-21T10:04:05Z',
      plugin: 'csv-import',
      pluginVersion: '1.4.2',
      environment: `env-${secret}`,
      level: 'fatal',
      error: { type: `Err${secret}`, message: 'm', code: secret },
      invocation: { operation: `op ${secret}`, input: { [secret]: 'v', list: [{ deep: secret }] } },
      host: { name: `host-${secret}`, runtime: secret },
      tags: { [secret]: 'value', other: `x${secret}y` },
    });
    const scrubbed = scrubEvent(event, [secret]);
    expect(JSON.stringify(scrubbed)).not.toContain(secret);
    expect(scrubbed.environment).toBe('env-[redacted]');
    expect(scrubbed.tags).toEqual({ '[redacted]': 'value', other: 'x[redacted]y' });
    expect(scrubbed.invocation?.input).toEqual({ '[redacted]': 'v', list: [{ deep: '[redacted]' }] });
  });

  it('returns a new event, leaves the input untouched and adds no fields', () => {
    const form = all[0];
    expect(form).toBeDefined();
    if (!form) return;
    const event = eventWith(form);
    const before = structuredClone(event);
    const scrubbed = scrubEvent(event);
    expect(event).toEqual(before);
    expect(scrubbed).not.toBe(event);
    expect(scrubbed.invocation?.input).not.toBe(event.invocation?.input);

    const minimal = errorEventSchema.parse({
      id: 'evt-3',
      timestamp: '2026-11-21T10:04:05Z',
      plugin: 'csv-import',
      pluginVersion: '1.4.2',
      level: 'warning',
      error: { type: 'Error', message: 'password=hunter22' },
    });
    expect(scrubEvent(minimal)).toEqual({ ...minimal, error: { type: 'Error', message: 'password=[redacted]' } });
    expect(Object.keys(scrubEvent(minimal)).sort()).toEqual(Object.keys(minimal).sort());
    expect(Object.keys(scrubEvent(minimal).error).sort()).toEqual(['message', 'type']);
    const noInput = { ...minimal, invocation: { operation: 'execute' } };
    expect(scrubEvent(noInput).invocation).toEqual({ operation: 'execute' });
  });
});

describe('scrubText', () => {
  it.each([
    ['postgres://steward:hunter2@db.internal:5432/app?sslmode=require', 'postgres://steward:[redacted]@db.internal:5432/app?sslmode=require'],
    ['redis://:s3cret@cache:6379/0', 'redis://:[redacted]@cache:6379/0'],
    ['https://bob:p@ss@host.test/x', 'https://bob:[redacted]@host.test/x'],
    ['Authorization: Bearer abc.def-123_xyz', 'Authorization: Bearer [redacted]'],
    ['authorization: token 0123456789abcdef', 'authorization: token [redacted]'],
    ['password=hunter2&user=bob', 'password=[redacted]&user=bob'],
    ['DB_PASSWORD = "hunter 2" then', 'DB_PASSWORD = "[redacted]" then'],
    ['{"apiKey": "k-123", "name": "ok"}', '{"apiKey": "[redacted]", "name": "ok"}'],
    ['{\\"password\\":\\"p4ss\\",\\"user\\":\\"u\\"}', '{\\"password\\":\\"[redacted]\\",\\"user\\":\\"u\\"}'],
    ["{'token': 'tok', 'n': 1}", "{'token': '[redacted]', 'n': 1}"],
    ["'secret' => 'xyz', 'k' => 1", "'secret' => '[redacted]', 'k' => 1"],
    ['"password" : "hunter2", passwd = x', '"password" : "[redacted]", passwd = [redacted]'],
    ['GET /cb?code=1&access_token=abc123&state=ok', 'GET /cb?code=1&access_token=[redacted]&state=ok'],
    ['X-Auth-Token: abc123\nnext line', 'X-Auth-Token: [redacted]\nnext line'],
    ['set-cookie: sid=abc; Path=/; HttpOnly\nnext', 'set-cookie: [redacted]\nnext'],
    ['{ tokens: [ "a", "b" ], ok: 1 }', '{ tokens: [redacted], ok: 1 }'],
    ['clientSecret: abc-123 sessionId=s-9 privateKey: k9', 'clientSecret: [redacted] sessionId=[redacted] privateKey: [redacted]'],
  ])('%s', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it('leaves ordinary text, hashes, ids, stack frames and near-misses alone', () => {
    const text = [
      `commit ${GIT_SHA} (${GIT_SHA.slice(0, 7)}), request ${UUID}, digest sha256:${SHA256}`,
      "TypeError: Cannot read properties of undefined (reading 'token')",
      '    at login (/srv/library/plugins/auth/src/auth.ts:41:18)',
      '    at refresh (file:///srv/library/plugins/x/src/token.js:7:3)',
      '  File "/srv/library/plugins/x/session.py", line 3, in get_password',
      'Bearer token missing; header was Bearer undefined; Basic authentication is off',
      'https://example.com:8080/path/to?x=1 and https://user@example.com/ and mailto:bob@example.com',
      'author: Jane, key: email, primary_key=42, password: null, token=undefined, monkey=1',
      'TokenExpiredError: jwt expired; SyntaxError: Unexpected token : in JSON; AuthenticationError: bad login',
      'the key ghp_short, AKIA123, sk_live_ and eyJhbGciOi alone are no secrets',
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    ].join('\n');
    expect(scrubText(text)).toBe(text);
  });

  it('redacts a long value behind a weak label but keeps a short one', () => {
    expect(scrubText(`key: ${SHA256}`)).toBe('key: [redacted]');
    expect(scrubText('key: email')).toBe('key: email');
    expect(scrubText(`sig=${GIT_SHA.slice(0, 20)}&x=1`)).toBe('sig=[redacted]&x=1');
  });

  it('redacts a PEM block whole, and to the end when it is cut off', () => {
    const body = chars(64, BASE64);
    expect(scrubText(`a -----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY----- b`)).toBe('a [redacted] b');
    expect(scrubText(`a -----BEGIN PRIVATE KEY-----\n${body}\n...truncated`)).toBe('a [redacted]');
    expect(scrubText('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----')).toBe('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----');
  });

  it('is idempotent', () => {
    for (const form of forms()) {
      const once = scrubText(form.text, form.secrets);
      expect(scrubText(once, form.secrets)).toBe(once);
    }
  });

  it('stays linear on a megabyte of near-misses', () => {
    const nearMisses = [
      'ghp_abc gho_ github_pat_x ',
      'AKIA12345 ASIAxyz ',
      'eyJ'.repeat(50) + ' ',
      'eyJhbGciOi.eyJ ',
      'xoxb-1 hooks.slack.com/x ',
      'https://a:b/c ftp://user: x:// ',
      'password password password ',
      'token=',
      '"secret": "',
      '\\"pass\\":\\"',
      'Bearer Basic QUJD ',
      '-----BEGIN RSA PRIVATE KEY--',
      'sk_live_ AIza npm_ ',
      'a'.repeat(300),
      `${'0123456789abcdef'.repeat(20)} `,
      'key: [ { ',
      'token: [ { ',
      'key:key=key=',
      'token: \'\\"',
      'Cookie: a=1;',
      'x.y.z:1:2 ',
    ];
    const inputs = [
      ...nearMisses.map((sample) => sample.repeat(Math.ceil(1_048_576 / sample.length)).slice(0, 1_048_576)),
      nearMisses.join('').repeat(Math.ceil(1_048_576 / nearMisses.join('').length)),
      `"token": "${'a'.repeat(1_048_576)}`,
      `-----BEGIN RSA PRIVATE KEY-----${'x'.repeat(1_048_576)}`,
      `x ${' '.repeat(1_048_576)}=`,
    ];
    for (const input of inputs) {
      const started = performance.now();
      scrubText(input, ['declared-secret']);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});

describe('scrubValue', () => {
  it('redacts values of secret-looking keys whatever their type, camelCase included', () => {
    expect(
      scrubValue({
        apiKey: 12345,
        accessToken: { nested: 'x' },
        clientSecret: ['a', 'b'],
        password: null,
        'x-api-key': true,
        DB_PASSWORD: 'p',
        authorization: 'Bearer x',
        Cookie: 'a=1',
        sessionId: 's-1',
        privateKey: 'k',
        refreshToken: 'r',
        author: 'Jane',
        keyboard: 'qwerty',
        primary_key: 42,
        signature: 'short',
        signingKey: 'k',
        count: 3,
      }),
    ).toEqual({
      apiKey: '[redacted]',
      accessToken: '[redacted]',
      clientSecret: '[redacted]',
      password: '[redacted]',
      'x-api-key': '[redacted]',
      DB_PASSWORD: '[redacted]',
      authorization: '[redacted]',
      Cookie: '[redacted]',
      sessionId: '[redacted]',
      privateKey: '[redacted]',
      refreshToken: '[redacted]',
      author: 'Jane',
      keyboard: 'qwerty',
      primary_key: 42,
      signature: 'short',
      signingKey: '[redacted]',
      count: 3,
    });
  });

  it('scrubs strings at any depth and keeps everything else', () => {
    const token = `gh${'p_'}${chars(36)}`;
    expect(scrubValue(['a', 1, true, null, { rows: [[`x ${token} y`]] }])).toEqual(['a', 1, true, null, { rows: [['x [redacted] y']] }]);
    expect(scrubValue(`Bearer ${token}`)).toBe('Bearer [redacted]');
    expect(scrubValue(7)).toBe(7);
    expect(scrubValue(undefined)).toBeUndefined();
  });

  it('caps depth at 32', () => {
    let value: unknown = { leaf: 'x' };
    for (let level = 0; level < 40; level++) value = { down: value };
    let scrubbed = scrubValue(value);
    let depth = 0;
    while (typeof scrubbed === 'object' && scrubbed !== null) {
      scrubbed = (scrubbed as { down?: unknown }).down;
      depth++;
    }
    expect(depth).toBe(32);
    expect(scrubbed).toBe('[too deep]');
    // 32 levels of nesting are kept whole.
    let shallow: unknown = 'leaf';
    for (let level = 0; level < 32; level++) shallow = [shallow];
    expect(scrubValue(shallow)).toEqual(shallow);
  });

  it('keeps a __proto__ key as data', () => {
    const parsed: unknown = JSON.parse('{"__proto__": {"password": "p"}, "a": 1}');
    const scrubbed = scrubValue(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(scrubbed)).toBe(Object.prototype);
    expect(JSON.stringify(scrubbed)).toBe('{"__proto__":{"password":"[redacted]"},"a":1}');
  });
});
