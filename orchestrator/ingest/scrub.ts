import type { ErrorEvent } from './event.ts';

/**
 * Secret scrubbing for error events (docs/specs/error-event.md, "Secrets are scrubbed before the
 * event is stored, shown, put in an issue or sent to a model").
 *
 * Two kinds of evidence make a secret:
 * - its shape: a token format that is a secret wherever it appears (GitHub, AWS key ids, Slack, Stripe,
 *   Google, npm, JWTs, PEM private keys, passwords in URLs, bearer / basic credentials), or a value the
 *   plugin declared secret;
 * - its label: the value of a key that looks secret (`password`, `token`, `x-api-key`, `"clientSecret": …`).
 *   Long hex / base64 runs are only redacted when labelled, so git shas, uuids and hashes survive.
 *
 * Every regex is linear: runs start only where the previous character cannot continue them (negative
 * look-behinds), repetitions are bounded, and multi-line blocks are found with plain scans.
 */

const REDACTED = '[redacted]';
const TOO_DEEP = '[too deep]';
/** Containers nested deeper than this are replaced by TOO_DEEP. */
const MAX_DEPTH = 32;

/** How far the scanner looks for the end of a quoted value. */
const MAX_VALUE_SCAN = 8192;
const MIN_SECRET_LENGTH = 4;

// ---------------------------------------------------------------------------------------------------------
// Keys

type KeyStrength = 'strong' | 'weak';

/** A key whose letters (separators removed, lower case) contain one of these is secret. */
const SECRET_KEY_SUBSTRINGS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'authorization', 'credential', 'cookie'];
/** `<qualifier>key`, written together or apart (`apiKey`, `api-key`, `API_KEY`, `xApiKey`). */
const KEY_QUALIFIERS = ['api', 'access', 'private', 'secret', 'signing', 'encryption', 'master', 'client', 'license', 'consumer', 'ssh', 'hmac', 'webhook', 'session', 'auth'];
/** A key with one of these as a whole word is secret (`db_pwd`, `basicAuth`, `sessionId`, `x-auth`). */
const SECRET_KEY_WORDS = new Set(['pwd', 'pass', 'auth', 'oauth', 'session', 'sid', 'jwt', 'bearer']);
/** The last word of an error's name (`InvalidTokenError`, `AuthException`). */
const ERROR_NAME_WORDS = new Set(['error', 'exception', 'warning']);
/** Labels that only make a long opaque value (hex, base64) secret: `key: 0a9f…`, `signature=…`. */
const WEAK_KEY_WORDS = new Set(['key', 'keys', 'sig', 'signature', 'salt', 'hmac', 'dsn']);

/** `xApiKey` → ['x', 'api', 'key']; `DB_PASSWORD` → ['db', 'password']. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

function classifyKey(key: string): KeyStrength | null {
  if (key.length === 0 || key.length > 128) return null;
  const words = keyWords(key);
  // `TokenExpiredError: jwt expired` heads a stack: an error's name is no label.
  if (ERROR_NAME_WORDS.has(words[words.length - 1] ?? '')) return null;
  const joined = words.join('');
  if (SECRET_KEY_SUBSTRINGS.some((part) => joined.includes(part))) return 'strong';
  if (KEY_QUALIFIERS.some((qualifier) => joined.includes(`${qualifier}key`))) return 'strong';
  if (words.some((word) => SECRET_KEY_WORDS.has(word))) return 'strong';
  if (words.some((word) => WEAK_KEY_WORDS.has(word))) return 'weak';
  return null;
}

const keyCache = new Map<string, KeyStrength | null>();

function keyStrength(key: string): KeyStrength | null {
  const cached = keyCache.get(key);
  if (cached !== undefined) return cached;
  const strength = classifyKey(key);
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(key, strength);
  return strength;
}

/** A long opaque value: what a weak label (`key`, `signature`) must be followed by to be redacted. */
function looksOpaque(value: string): boolean {
  return value.length >= 16 && /^[A-Za-z0-9+/=_.-]+$/.test(value) && /\d/.test(value) && /[A-Za-z]/.test(value);
}

// ---------------------------------------------------------------------------------------------------------
// Declared secrets

const preparedCache = new WeakMap<readonly string[], readonly string[]>();

/** The declared values (>= 4 chars) and their URL-encoded forms, longest first. */
function prepareSecrets(secrets: readonly string[] | undefined): readonly string[] {
  if (!secrets || secrets.length === 0) return [];
  const cached = preparedCache.get(secrets);
  if (cached) return cached;
  const values = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    values.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) values.add(encoded);
  }
  const prepared = [...values].sort((a, b) => b.length - a.length);
  preparedCache.set(secrets, prepared);
  return prepared;
}

function scrubDeclared(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// PEM blocks: found by scanning, so a BEGIN without an END costs one pass (the rest of the text is redacted).

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;

function scrubPem(text: string): string {
  if (!text.includes('PRIVATE KEY')) return text;
  let out = '';
  let position = 0;
  while (position < text.length) {
    PEM_BEGIN.lastIndex = position;
    const begin = PEM_BEGIN.exec(text);
    if (!begin) break;
    out += text.slice(position, begin.index) + REDACTED;
    PEM_END.lastIndex = begin.index + begin[0].length;
    const end = PEM_END.exec(text);
    position = end ? end.index + end[0].length : text.length;
  }
  return out + text.slice(position);
}

// ---------------------------------------------------------------------------------------------------------
// Shapes

interface Rule {
  /** Cheap test: the rule cannot match a text without this (case-sensitive) substring. */
  needle?: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

const redact = (): string => REDACTED;

/** Basic credentials are base64 of `user:password`: printable text with a colon. */
function isBasicCredential(candidate: string): boolean {
  const decoded = Buffer.from(candidate, 'base64').toString('latin1');
  return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded);
}

const NOT_A_TOKEN = new Set(['undefined', 'null', 'none', 'missing', 'invalid', 'expired']);

const RULES: readonly Rule[] = [
  // scheme://user:password@host → keep scheme, user and host. The password may hold '@' (greedy to the last).
  {
    needle: '://',
    pattern: /\b([A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/)([^\s:/?#@"'<>]{0,256}):([^\s/?#"'<>]{1,256})@/g,
    replace: (_match, scheme, user) => `${scheme}${user}:${REDACTED}@`,
  },
  // Slack incoming webhooks: the path is the secret, the host stays.
  {
    needle: 'hooks.slack.com',
    pattern: /(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/-]+/g,
    replace: (_match, prefix) => `${prefix}${REDACTED}`,
  },
  // GitHub: classic (ghp_ gho_ ghu_ ghs_ ghr_) and fine-grained PATs.
  { pattern: /(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,255}/g, replace: redact },
  { needle: 'github_pat_', pattern: /github_pat_[A-Za-z0-9_]{22,255}/g, replace: redact },
  // GitLab personal access tokens.
  { needle: 'glpat-', pattern: /glpat-[A-Za-z0-9_-]{20,255}/g, replace: redact },
  // AWS access key ids (long-term AKIA, temporary ASIA).
  { pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g, replace: redact },
  // AWS secret access keys behind a spelled-out label ("Secret access key: …"); `aws_secret_access_key=` is a key.
  {
    pattern: /\b(secret[ _-]?access[ _-]?key)(["']?[ \t]{0,8}[:=][ \t]{0,8}["']?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/gi,
    replace: (_match, label, separator) => `${label}${separator}${REDACTED}`,
  },
  // Slack bot / user / app tokens.
  { pattern: /(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,255}/g, replace: redact },
  { needle: 'xapp-', pattern: /(?<![A-Za-z0-9])xapp-[0-9]-[A-Za-z0-9-]{10,255}/g, replace: redact },
  // JWTs: base64url JSON header (eyJ…), payload, optional signature.
  {
    needle: 'eyJ',
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{2,65536}(?:\.[A-Za-z0-9_-]{0,8192})?/g,
    replace: redact,
  },
  // Stripe secret / restricted keys and webhook secrets (publishable pk_ keys are public).
  { pattern: /(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{8,255}/g, replace: redact },
  { needle: 'whsec_', pattern: /(?<![A-Za-z0-9])whsec_[A-Za-z0-9+/=]{16,255}/g, replace: redact },
  // OpenAI / Anthropic style keys (sk-…, sk-proj-…, sk-ant-…).
  { needle: 'sk-', pattern: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,255}/g, replace: redact },
  // Google API keys.
  { needle: 'AIza', pattern: /AIza[0-9A-Za-z_-]{35}/g, replace: redact },
  // npm tokens.
  { needle: 'npm_', pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}/g, replace: redact },
  // Bearer <token> anywhere (the scheme stays). "Bearer token", "Bearer undefined" are no tokens.
  {
    pattern: /\b(Bearer[ \t]{1,8})([A-Za-z0-9\-._~+/]{6,4096}=*)/gi,
    replace: (match, scheme, token) => (NOT_A_TOKEN.has(token.toLowerCase()) ? match : `${scheme}${REDACTED}`),
  },
  // Basic <base64 of user:password> anywhere.
  {
    pattern: /\b(Basic[ \t]{1,8})([A-Za-z0-9+/]{6,4096}={0,2})(?![A-Za-z0-9+/=])/gi,
    replace: (match, scheme, token) => (isBasicCredential(token) ? `${scheme}${REDACTED}` : match),
  },
];

/** Every shape rule needs one of these; most text has none and skips the rules in one scan. */
const RULE_TRIGGER = /:\/\/|hooks\.slack|gh[pousr]_|github_pat_|glpat-|AKIA|ASIA|access|xox|xapp-|eyJ|[sr]k_|whsec_|sk-|AIza|npm_|bearer|basic/i;
/** Every secret-looking key holds one of these (see classifyKey). */
const KEY_TRIGGER = /pass|pwd|secret|token|auth|credential|cookie|session|sid|jwt|bearer|key|sig|salt|hmac|dsn/i;

function applyRules(text: string): string {
  if (!RULE_TRIGGER.test(text)) return text;
  let out = text;
  for (const rule of RULES) {
    if (rule.needle !== undefined && !out.includes(rule.needle)) continue;
    rule.pattern.lastIndex = 0;
    out = out.replace(rule.pattern, rule.replace);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Labelled values: key=value, key: value, "key":"value", 'key' => 'value', key="value", \"key\":\"value\".

/** A key (not continuing a longer word), an optional closing quote, a separator. */
const PAIR_PREFIX = /(?<![A-Za-z0-9_$.-])([A-Za-z_$][A-Za-z0-9_$.-]{0,63})(\\?["'])?([ \t]{0,16})(=>|:=|:|=)[ \t]{0,16}/g;
/** Where an unquoted value ends. */
const VALUE_END = new Set([' ', '\t', '\n', '\r', '&', ',', ';', '"', "'", '`', '<', '>', ')', ']', '}']);
/** Authorization schemes kept in front of the redacted credentials. */
const AUTH_SCHEME = /^(?:Bearer|Basic|Digest|Token|Bot|Negotiate|NTLM)[ \t]{1,8}/i;
/** Unquoted literals that say something and hide nothing. */
const HARMLESS_VALUES = new Set(['null', 'undefined', 'true', 'false', 'none', 'nil']);
/** Header-like keys whose unquoted value is a list of cookies (`Cookie: a=1; b=2`). */
const COOKIE_KEYS = new Set(['cookie', 'setcookie']);
const COOKIE_END = new Set([' ', '\t', '\n', '\r', '"', "'", '`', ',', ')', ']', '}', '<', '>']);

interface Span {
  start: number;
  end: number;
  /** True for a quoted or bracketed value: its literal content is the value whatever it says. */
  delimited: boolean;
}

function unquotedEnd(text: string, start: number): number {
  let index = start;
  while (index < text.length && !VALUE_END.has(text[index] ?? ' ')) index++;
  return index;
}

/** A cookie header value: `name=value` pairs joined by `; `, up to what cannot be part of one. */
function cookiesEnd(text: string, start: number): number {
  let index = start;
  while (index < text.length) {
    const char = text[index] ?? ' ';
    if (char === ';') {
      let next = index + 1;
      while (text[next] === ' ') next++;
      if (next < text.length && !COOKIE_END.has(text[next] ?? ' ') && text[next] !== ';') {
        index = next;
        continue;
      }
      return index;
    }
    if (COOKIE_END.has(char)) return index;
    index++;
  }
  return index;
}

/** Index of the bracket closing each `[` / `{` of a text (-1: never closed), computed once per text in one pass. */
function bracketPairs(text: string): Int32Array {
  const pairs = new Int32Array(text.length).fill(-1);
  const open: Record<string, number[]> = { '[': [], '{': [] };
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '[' || char === '{') open[char]?.push(index);
    else if (char === ']' || char === '}') {
      const opener = open[char === ']' ? '[' : '{']?.pop();
      if (opener !== undefined) pairs[opener] = index;
    }
  }
  return pairs;
}

const OPAQUE_CHAR = /[A-Za-z0-9+/_.-]/;

/** A weak label's value: an opaque run (`=` padding at its end only) ending where a value ends. */
function opaqueSpan(text: string, start: number): Span | null {
  let index = start;
  while (index < text.length && OPAQUE_CHAR.test(text[index] ?? ' ')) index++;
  let padding = 0;
  while (padding < 2 && text[index] === '=') {
    index++;
    padding++;
  }
  const next = text[index];
  if (next !== undefined && !VALUE_END.has(next)) return null;
  return index > start ? { start, end: index, delimited: false } : null;
}

function quotedEnd(text: string, start: number, quote: string): number {
  const limit = Math.min(text.length, start + MAX_VALUE_SCAN);
  for (let index = start; index < limit; index++) {
    const char = text[index];
    if (char === '\n') return -1;
    if (char === '\\') {
      index++;
      continue;
    }
    if (char === quote) return index;
  }
  return -1;
}

function findValue(text: string, start: number, key: string, separator: string, strength: KeyStrength, pairs: () => Int32Array): Span | null {
  const first = text[start];
  if (first === undefined || text.startsWith(REDACTED, start)) return null;
  // \"value\" inside an escaped JSON string.
  if (first === '\\' && (text[start + 1] === '"' || text[start + 1] === "'")) {
    const quote = text[start + 1];
    const limit = Math.min(text.length, start + MAX_VALUE_SCAN);
    for (let index = start + 2; index < limit; index++) {
      const char = text[index];
      if (char === '\n') break;
      if (char === '\\' && text[index + 1] === quote) return { start: start + 2, end: index, delimited: true };
    }
    return null;
  }
  if (first === '"' || first === "'" || first === '`') {
    const end = quotedEnd(text, start + 1, first);
    if (end >= 0) return { start: start + 1, end, delimited: true };
    // Unterminated: the value runs like an unquoted one.
    if (strength === 'weak') return opaqueSpan(text, start + 1);
    return { start: start + 1, end: unquotedEnd(text, start + 1), delimited: false };
  }
  if (strength === 'weak') return opaqueSpan(text, start);
  if (first === '[' || first === '{') {
    const close = pairs()[start] ?? -1;
    if (close >= 0) return { start, end: close + 1, delimited: true };
  }
  const letters = key.toLowerCase().replace(/[^a-z]/g, '');
  if (separator === ':' && COOKIE_KEYS.has(letters)) return { start, end: cookiesEnd(text, start), delimited: false };
  let valueStart = start;
  const scheme = AUTH_SCHEME.exec(text.slice(start, start + 24));
  if (scheme) valueStart += scheme[0].length;
  if (text.startsWith(REDACTED, valueStart)) return null;
  return { start: valueStart, end: unquotedEnd(text, valueStart), delimited: false };
}

function shouldRedact(value: string, span: Span, key: string, strength: KeyStrength): boolean {
  if (value.length === 0 || value.startsWith(REDACTED)) return false;
  if (strength === 'weak') return looksOpaque(value);
  if (!span.delimited && HARMLESS_VALUES.has(value.toLowerCase())) return false;
  // `auth.ts:41:18` in a stack is a file and a line, not a labelled value.
  if (!span.delimited && key.includes('.') && /^\d+(?::\d+)?$/.test(value)) return false;
  return true;
}

function scrubPairs(text: string): string {
  if ((!text.includes(':') && !text.includes('=')) || !KEY_TRIGGER.test(text)) return text;
  PAIR_PREFIX.lastIndex = 0;
  let out = '';
  let copied = 0;
  let computed: Int32Array | undefined;
  const pairs = (): Int32Array => (computed ??= bracketPairs(text));
  for (let match = PAIR_PREFIX.exec(text); match !== null; match = PAIR_PREFIX.exec(text)) {
    const key = match[1] ?? '';
    const strength = keyStrength(key);
    if (strength === null) continue;
    const separator = match[4] ?? ':';
    // `key : value` with a bare key is prose (`Unexpected token : in JSON`), not a label.
    if (separator === ':' && match[2] === undefined && (match[3] ?? '').length > 0) continue;
    const span = findValue(text, match.index + match[0].length, key, separator, strength, pairs);
    if (!span) continue;
    if (!shouldRedact(text.slice(span.start, span.end), span, key, strength)) continue;
    out += text.slice(copied, span.start) + REDACTED;
    copied = span.end;
    PAIR_PREFIX.lastIndex = span.end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

// ---------------------------------------------------------------------------------------------------------
// Public API

function scrubPrepared(text: string, secrets: readonly string[]): string {
  if (text.length < MIN_SECRET_LENGTH) return text;
  let out = secrets.length > 0 ? scrubDeclared(text, secrets) : text;
  out = scrubPem(out);
  out = applyRules(out);
  return scrubPairs(out);
}

/** Free text with every secret it holds replaced by `[redacted]`; the text around them stays. */
export function scrubText(text: string, secrets?: readonly string[]): string {
  return scrubPrepared(text, prepareSecrets(secrets));
}

function scrubDeep(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return scrubPrepared(value, secrets);
  if (value === null || typeof value !== 'object') {
    // JSON has nothing else; functions and symbols are dropped the way JSON.stringify drops them.
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubDeep(item, secrets, depth + 1));
  const entries: [string, unknown][] = [];
  for (const [key, item] of Object.entries(value)) {
    const strength = keyStrength(key);
    const scrubbedKey = scrubPrepared(key, secrets);
    if (strength === 'strong') entries.push([scrubbedKey, REDACTED]);
    else if (strength === 'weak' && typeof item === 'string' && looksOpaque(item)) entries.push([scrubbedKey, REDACTED]);
    else entries.push([scrubbedKey, scrubDeep(item, secrets, depth + 1)]);
  }
  return Object.fromEntries(entries);
}

/**
 * A scrubbed deep copy of JSON-like data: values under secret-looking keys become `[redacted]` whatever
 * their type, every string (keys included) goes through scrubText, and objects or arrays nested more
 * than MAX_DEPTH levels below the value become `[too deep]`.
 */
export function scrubValue(value: unknown, secrets?: readonly string[]): unknown {
  return scrubDeep(value, prepareSecrets(secrets), 0);
}

/**
 * A scrubbed copy of an event, the input untouched: the error's text, the invocation input, tags (secret
 * keys redacted), host and environment. Identity fields (id, timestamp, plugin, version, level) stay.
 */
export function scrubEvent(event: ErrorEvent, secrets?: readonly string[]): ErrorEvent {
  const prepared = prepareSecrets(secrets);
  const text = (value: string): string => scrubPrepared(value, prepared);
  const error: ErrorEvent['error'] = { ...event.error, type: text(event.error.type), message: text(event.error.message) };
  if (event.error.stack !== undefined) error.stack = text(event.error.stack);
  if (event.error.code !== undefined) error.code = text(event.error.code);
  const out: ErrorEvent = { ...event, error };
  if (event.environment !== undefined) out.environment = text(event.environment);
  if (event.invocation !== undefined) {
    const invocation: NonNullable<ErrorEvent['invocation']> = { ...event.invocation };
    if (event.invocation.operation !== undefined) invocation.operation = text(event.invocation.operation);
    if ('input' in event.invocation) invocation.input = scrubDeep(event.invocation.input, prepared, 0);
    out.invocation = invocation;
  }
  if (event.host !== undefined) {
    const host: NonNullable<ErrorEvent['host']> = { ...event.host };
    if (event.host.name !== undefined) host.name = text(event.host.name);
    if (event.host.runtime !== undefined) host.runtime = text(event.host.runtime);
    out.host = host;
  }
  if (event.tags !== undefined) {
    out.tags = Object.fromEntries(
      Object.entries(event.tags).map(([key, value]) => {
        const strength = keyStrength(key);
        const redacted = strength === 'strong' || (strength === 'weak' && looksOpaque(value));
        return [text(key), redacted ? REDACTED : text(value)];
      }),
    );
  }
  return out;
}

/**
 * JSON-like data with only the given secret values replaced, in keys and strings at any depth
 * (walked without recursion), and nothing else changed: a plugin's answer is returned to its
 * caller, so no token-shaped value of its own is touched, but its declared secrets never leave.
 */
export function redactDeclared<T>(value: T, secrets?: readonly string[]): T {
  const prepared = prepareSecrets(secrets);
  if (prepared.length === 0) return value;
  const text = (s: string): string => scrubDeclared(s, prepared);
  const root: { value: unknown } = { value };
  const pending: [Record<string, unknown> | unknown[], string | number][] = [[root as Record<string, unknown>, 'value']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [holder, at] = next;
    const item = (holder as Record<string | number, unknown>)[at];
    if (typeof item === 'string') {
      (holder as Record<string | number, unknown>)[at] = text(item);
    } else if (Array.isArray(item)) {
      const copy = [...item];
      (holder as Record<string | number, unknown>)[at] = copy;
      for (let i = 0; i < copy.length; i++) pending.push([copy, i]);
    } else if (item !== null && typeof item === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(item)) copy[text(key)] = inner;
      (holder as Record<string | number, unknown>)[at] = copy;
      for (const key of Object.keys(copy)) pending.push([copy, key]);
    }
  }
  return root.value as T;
}
