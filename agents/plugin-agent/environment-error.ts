/**
 * Errors that say the environment failed rather than the code: a dependency that refused,
 * reset or timed out, a name that does not resolve, a setting missing at start-up. Such a
 * group gets an issue and no fix: a search for a patch would find none, or worse, one that
 * hides the failure. A wrong verdict hides a code defect, so each rule needs a signal that
 * only the runtime or its network stack gives (an errno code, the stdlib's own text, a type
 * raised outside the plugin); a message that merely mentions "timeout" is not one.
 */

export type EnvironmentKind = 'connection' | 'dns' | 'timeout' | 'configuration';

export interface ErrorEvidence {
  type: string;
  message: string;
  /** The error's code as the runtime set it (Node's `ECONNREFUSED`), when the event carries one. */
  code?: string | undefined;
  /** Innermost first, as ingest normalised them (`inApp`: the plugin's own code). */
  frames: readonly { file: string; line: number | null; function: string | null; inApp: boolean }[];
  /** The operation that failed; `init` and `validate` are the plugin's start-up. */
  operation?: string | undefined;
  /** The variables the plugin's manifest declares. */
  declared?: readonly string[];
}

export interface EnvironmentError {
  kind: EnvironmentKind;
  /** What failed, as a clause: "the connection to `127.0.0.1:5432` was refused (ECONNREFUSED)". */
  what: string;
  /** The signal that decided it. */
  signal: string;
  /** The address or host the error names. */
  target?: string;
  /** The variable the error names. */
  variable?: string;
  /** Where the stack says it was raised: the innermost frame. */
  raisedAt?: string;
}

/** A defect in the code, whatever its message says about connections, time or settings. */
const PROGRAMMING_TYPES = new Set([
  'TypeError',
  'ReferenceError',
  'SyntaxError',
  'RangeError',
  'EvalError',
  'URIError',
  'AssertionError',
  'AttributeError',
  'NameError',
  'IndexError',
  'ZeroDivisionError',
  'UnboundLocalError',
  'RecursionError',
]);

/** `connect ECONNREFUSED 127.0.0.1:5432`: how Node words a failed system call, with the code after the call's name. */
const NODE_SYSCALL = /\b(?:connect|read|write|getaddrinfo|query[A-Za-z]*) (E[A-Z_]+)\b(?: (\S+))?/;

const CONNECTION_CODES = new Map([
  ['ECONNREFUSED', 'was refused'],
  ['ECONNRESET', 'was reset by the other side'],
  ['EHOSTUNREACH', 'found no route to the host'],
  ['ENETUNREACH', 'found the network unreachable'],
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The C library's own words (strerror, gai_strerror) that Python and most drivers pass on. */
const CONNECTION_TEXT = /\b(Connection refused|Connection reset by peer|No route to host|Network is unreachable)\b/;
const DNS_TEXT =
  /\b(Name or service not known|Temporary failure in name resolution|No address associated with hostname|nodename nor servname provided, or not known|getaddrinfo failed)\b/;
/** Python's socket and ssl modules on a time-out: nothing else words it quite so. */
const PYTHON_SOCKET_TIMEOUT = /^(?:<urlopen error )?(?:timed out|(?:_ssl\.c:\d+: )?The (?:read|write|handshake) operation timed out)>?$/;
/** HTTP clients' time-out errors; they count only when raised inside the client, not by the plugin. */
const CLIENT_TIMEOUT_TYPES = new Set([
  'ConnectTimeout',
  'ReadTimeout',
  'WriteTimeout',
  'PoolTimeout',
  'ConnectTimeoutError',
  'ReadTimeoutError',
  'HeadersTimeoutError',
  'BodyTimeoutError',
]);
const CLIENT_DNS_TYPES = new Set(['gaierror', 'socket.gaierror', 'NameResolutionError']);

const ENV_WORDS = String.raw`env(?:ironment)?[ _-]?var(?:iable)?s?`;
const NAME = String.raw`[A-Za-z_][A-Za-z0-9_]*`;
/** "Missing required environment variable X", "Missing env vars: X", "required environment variable 'X' is missing". */
const MISSING_ENV = new RegExp(String.raw`\b(?:missing|required|undefined|unset)\b[^\n.;]{0,30}?\b${ENV_WORDS}\b[\s:'"\`]*(${NAME})?`, 'i');
/** "Environment variable X is not set". */
const ENV_NOT_SET = new RegExp(String.raw`\b${ENV_WORDS}\s+['"\`]?(${NAME})['"\`]?\s+(?:is\s+)?(?:not set|not defined|undefined|missing|unset|empty|required|must be set)\b`, 'i');
// Absence only: "invalid" is as often a parser's defect as a bad value (a config loader that misreads "8081").
const PROBLEM = String.raw`(?:is\s+)?(?:not set|not defined|not configured|undefined|missing|unset|empty|required|must be set|was not set)`;

function unquote(text: string): string {
  return text.replace(/^['"`]|['"`]$/g, '');
}

function frameText(frame: ErrorEvidence['frames'][number] | undefined): string | undefined {
  if (!frame) return undefined;
  const where = frame.line === null ? frame.file : `${frame.file}:${frame.line}`;
  return frame.function ? `${frame.function} (${where})` : where;
}

/** The `host:port` a message names, for the issue; `index.js:24` is a source line, not an address. */
function addressIn(message: string): string | undefined {
  const found = /\b((?:\d{1,3}\.){3}\d{1,3}|localhost|\[[0-9a-fA-F:]+\]|[a-z0-9-]+(?:\.[a-z0-9-]+)+):(\d{1,5})\b/i.exec(message);
  return found && !/\.(?:[cm]?[jt]sx?|py|rb|go|java|json)$/i.test(found[1] ?? '') ? found[0] : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A declared variable the message names together with what is wrong with it ("X is empty", "missing X"). */
function declaredWithProblem(message: string, declared: readonly string[]): string | undefined {
  return declared.find((name) => {
    const word = escapeRegExp(name);
    return new RegExp(String.raw`\b${word}\b['"\`]?[^\n.;]{0,40}?\b${PROBLEM}\b|\b(?:missing|unset|empty|no value for)\s+['"\`]?${word}\b`, 'i').test(message);
  });
}

function names(message: string, declared: readonly string[]): string | undefined {
  return declared.find((name) => new RegExp(String.raw`\b${escapeRegExp(name)}\b`).test(message));
}

function network(error: ErrorEvidence, raisedAt: string | undefined): EnvironmentError | undefined {
  const { type, message } = error;
  const at = raisedAt ? { raisedAt } : {};
  const syscall = NODE_SYSCALL.exec(message);
  // The event's code field, else the code in Node's wording of the message (a wrapper may keep one and not the other).
  const codes = [error.code, syscall?.[1]].filter((c): c is string => c !== undefined);
  const target = syscall?.[2] ?? addressIn(message);
  const toTarget = target ? ` to \`${target}\`` : '';
  const refused = codes.find((c) => CONNECTION_CODES.has(c));
  if (refused)
    return {
      kind: 'connection',
      what: `the connection${toTarget} ${CONNECTION_CODES.get(refused)} (${refused})`,
      signal: `the error code ${refused}`,
      ...(target ? { target } : {}),
      ...at,
    };
  const unresolved = codes.find((c) => DNS_CODES.has(c));
  if (unresolved) {
    const host = syscall?.[1] === unresolved ? syscall[2] : undefined;
    return {
      kind: 'dns',
      what: `the name ${host ? `\`${host}\` ` : ''}did not resolve (${unresolved})`,
      signal: `the error code ${unresolved}`,
      ...(host ? { target: host } : {}),
      ...at,
    };
  }
  const timedOut = codes.find((c) => TIMEOUT_CODES.has(c));
  if (timedOut) return { kind: 'timeout', what: `a call${toTarget} timed out (${timedOut})`, signal: `the error code ${timedOut}`, ...(target ? { target } : {}), ...at };
  if (type === 'ConnectionRefusedError' || type === 'ConnectionResetError') {
    return {
      kind: 'connection',
      what: `the connection${toTarget} ${type === 'ConnectionRefusedError' ? 'was refused' : 'was reset by the other side'}`,
      signal: `the type ${type}`,
      ...(target ? { target } : {}),
      ...at,
    };
  }
  const outside = raisedAt !== undefined && !error.frames[0]?.inApp;
  if (CLIENT_DNS_TYPES.has(type)) return { kind: 'dns', what: 'a name did not resolve', signal: `the type ${type}`, ...at };
  if (CLIENT_TIMEOUT_TYPES.has(type) && outside)
    return { kind: 'timeout', what: `a call${toTarget} timed out`, signal: `the type ${type}, raised in the HTTP client`, ...(target ? { target } : {}), ...at };
  // AbortSignal.timeout's reason, as fetch rejects with it: the plugin's own TimeoutError is raised in its code.
  if (type === 'TimeoutError' && message === 'The operation was aborted due to timeout' && outside)
    return { kind: 'timeout', what: 'a request timed out (AbortSignal.timeout)', signal: 'a TimeoutError raised outside the plugin', ...at };
  if ((type === 'TimeoutError' || type === 'timeout' || type === 'socket.timeout' || type === 'URLError') && PYTHON_SOCKET_TIMEOUT.test(message))
    return { kind: 'timeout', what: `a socket operation${toTarget} timed out`, signal: `Python's socket time-out (${type}: ${message})`, ...at };
  // axios words its own time-out so, with ECONNABORTED.
  if (error.code === 'ECONNABORTED' && /^timeout of \d+ms exceeded$/.test(message))
    return { kind: 'timeout', what: 'an HTTP request timed out', signal: 'the error code ECONNABORTED', ...at };
  if (PROGRAMMING_TYPES.has(type)) return undefined;
  const text = CONNECTION_TEXT.exec(message)?.[1];
  if (text) return { kind: 'connection', what: `the connection${toTarget} failed: ${text}`, signal: `the system's message "${text}"`, ...(target ? { target } : {}), ...at };
  const dns = DNS_TEXT.exec(message)?.[1];
  if (dns) return { kind: 'dns', what: `a name did not resolve: ${dns}`, signal: `the resolver's message "${dns}"`, ...at };
  return undefined;
}

function configuration(error: ErrorEvidence, raisedAt: string | undefined): EnvironmentError | undefined {
  const { type, message } = error;
  const declared = error.declared ?? [];
  const at = raisedAt ? { raisedAt } : {};
  const innermost = error.frames[0];
  // os.environ[...] of a variable that is not there: Python raises it from os's own __getitem__.
  if (type === 'KeyError' && innermost?.function === '__getitem__' && /(?:^|\/)os\.py$|^<frozen os>$/.test(innermost.file)) {
    const variable = unquote(message.trim());
    return { kind: 'configuration', what: `the environment variable \`${variable}\` is not set`, signal: 'a KeyError raised by os.environ', variable, ...at };
  }
  if (PROGRAMMING_TYPES.has(type)) return undefined;
  const generic = MISSING_ENV.exec(message) ?? ENV_NOT_SET.exec(message);
  if (generic) {
    const variable = generic[1] && !/^(?:is|are|not|was|for|in|the)$/i.test(generic[1]) ? generic[1] : undefined;
    return {
      kind: 'configuration',
      what: variable ? `the environment variable \`${variable}\` is missing or not set` : 'an environment variable is missing',
      signal: 'the message says an environment variable is missing',
      ...(variable ? { variable } : {}),
      ...at,
    };
  }
  const problem = declaredWithProblem(message, declared);
  if (problem)
    return {
      kind: 'configuration',
      what: `the setting \`${problem}\` is missing or empty`,
      signal: `the message names the declared variable ${problem} and what is wrong with it`,
      variable: problem,
      ...at,
    };
  // init() and validate() are where a plugin checks its settings: naming one there is refusing it.
  const startUp = error.operation === 'init' || error.operation === 'validate' || /(?:^|\.)(?:init|validate)$/.test(error.frames.find((f) => f.inApp)?.function ?? '');
  const named = startUp ? names(message, declared) : undefined;
  if (named)
    return {
      kind: 'configuration',
      what: `the plugin refused the setting \`${named}\` at start-up`,
      signal: `a start-up failure naming the declared variable ${named}`,
      variable: named,
      ...at,
    };
  return undefined;
}

/** The environment failure an error reports, or undefined when nothing clearly says so (then it is treated as the code's). */
export function classifyEnvironmentError(error: ErrorEvidence): EnvironmentError | undefined {
  const raisedAt = frameText(error.frames[0]);
  return network(error, raisedAt) ?? configuration(error, raisedAt);
}

/** Names that say a variable points at a dependency. */
const ADDRESS_NAME = /(?:URL|URI|HOST|PORT|ENDPOINT|ADDR|ADDRESS|DSN|SERVER|SERVICE|BASE)(?:_|$)/i;

/**
 * Where what failed is configured, for the issue: the manifest's env entries (names and
 * positions, never values) and where their values come from.
 */
export function whereConfigured(found: EnvironmentError, env: readonly { name: string; required: boolean; secret: boolean }[], manifestFile: string): string {
  const entry = (name: string): string => {
    const i = env.findIndex((v) => v.name === name);
    return `\`${name}\` (\`$.env[${i}]\` in \`${manifestFile}\`${env[i]?.secret ? ', a secret' : ''})`;
  };
  const source = (one: boolean): string =>
    `${one ? 'its value comes' : 'their values come'} from the environment of the process that runs the plugin (the plugin host, \`steward start\`); steward.config.json holds no plugin's settings`;
  if (found.variable) {
    if (env.some((v) => v.name === found.variable)) return `${entry(found.variable)}: ${source(true)}`;
    return `\`${found.variable}\` is not declared in \`${manifestFile}\` (\`env\`): the plugin host gives a plugin only the variables its manifest declares, so declare it there and set it where the plugin host runs`;
  }
  const addresses = env.filter((v) => ADDRESS_NAME.test(v.name)).map((v) => entry(v.name));
  if (found.kind !== 'configuration' && addresses.length > 0) return `the plugin's settings that may point at it: ${addresses.join(', ')}; ${source(addresses.length === 1)}`;
  if (env.length > 0) return `the plugin's declared settings: ${env.map((v) => entry(v.name)).join(', ')}; ${source(env.length === 1)}`;
  return `\`${manifestFile}\` declares no environment variable: what failed is set in the plugin's code, its files or its input`;
}
