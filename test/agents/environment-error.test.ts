import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyEnvironmentError, whereConfigured, type ErrorEvidence } from '../../agents/plugin-agent/environment-error.ts';
import { normaliseFrames, parseStack } from '../../orchestrator/ingest/stack.ts';
import { STEWARD_ROOT } from '../helpers/git.ts';

/**
 * Errors as Node 20.20 and Python 3.11.7 raised them on this machine (a closed port, a
 * name under .invalid, a server that accepts and never answers, one that resets), with
 * the script's path renamed to a plugin's. Their frames go through the ingest's parser,
 * as a stored sample's do.
 */
function evidence(type: string, message: string, stack: string, extra: Partial<ErrorEvidence> = {}): ErrorEvidence {
  return { type, message, frames: normaliseFrames(parseStack(stack), { plugin: 'orders' }), ...extra };
}

const APP = 'file:///srv/library/plugins/orders/src/client.js';
const PY = '/srv/library/plugins/orders/src/main.py';
const LIB = '/root/.pyenv/versions/3.11.7/lib/python3.11';

const node = {
  refused: evidence('Error', 'connect ECONNREFUSED 127.0.0.1:1', 'Error: connect ECONNREFUSED 127.0.0.1:1\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)', {
    code: 'ECONNREFUSED',
  }),
  reset: evidence(
    'Error',
    'connect ECONNRESET 127.0.0.1:35979',
    'Error: connect ECONNRESET 127.0.0.1:35979\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)',
    {
      code: 'ECONNRESET',
    },
  ),
  notFound: evidence(
    'Error',
    'getaddrinfo ENOTFOUND db.steward-nonexistent.invalid',
    'Error: getaddrinfo ENOTFOUND db.steward-nonexistent.invalid\n    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:122:26)',
    { code: 'ENOTFOUND' },
  ),
  fetchTimeout: evidence(
    'TimeoutError',
    'The operation was aborted due to timeout',
    `TimeoutError: The operation was aborted due to timeout\n    at node:internal/deps/undici/undici:14976:13\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n    at async ${APP}:22:7`,
    { code: '23' },
  ),
  // Node's wording for these codes; neither happens without a network to wait on.
  timedOut: evidence('Error', 'connect ETIMEDOUT 10.0.0.7:443', 'Error: connect ETIMEDOUT 10.0.0.7:443\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)', {
    code: 'ETIMEDOUT',
  }),
  tryAgain: evidence(
    'Error',
    'getaddrinfo EAI_AGAIN db.internal',
    'Error: getaddrinfo EAI_AGAIN db.internal\n    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:122:26)',
  ),
};

const python = {
  refused: evidence(
    'ConnectionRefusedError',
    '[Errno 111] Connection refused',
    `Traceback (most recent call last):\n  File "${PY}", line 8, in refused\n    socket.create_connection(("127.0.0.1", 1), timeout=2)\n  File "${LIB}/socket.py", line 851, in create_connection\n    raise exceptions[0]\n  File "${LIB}/socket.py", line 836, in create_connection\n    sock.connect(sa)\nConnectionRefusedError: [Errno 111] Connection refused\n`,
  ),
  urlRefused: evidence(
    'URLError',
    '<urlopen error [Errno 111] Connection refused>',
    `Traceback (most recent call last):\n  File "${LIB}/urllib/request.py", line 1348, in do_open\n    h.request(req.get_method(), req.selector, req.data, headers,\n  File "${LIB}/socket.py", line 836, in create_connection\n    sock.connect(sa)\nConnectionRefusedError: [Errno 111] Connection refused\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File "${PY}", line 10, in fetch\n    urllib.request.urlopen("http://127.0.0.1:1/x", timeout=2)\n  File "${LIB}/urllib/request.py", line 216, in urlopen\n    return opener.open(url, data, timeout)\n  File "${LIB}/urllib/request.py", line 1351, in do_open\n    raise URLError(err)\nurllib.error.URLError: <urlopen error [Errno 111] Connection refused>\n`,
  ),
  reset: evidence(
    'ConnectionResetError',
    '[Errno 104] Connection reset by peer',
    `Traceback (most recent call last):\n  File "${PY}", line 36, in reset\n    s.sendall(b"x"*10); s.recv(10)\n    ^^^^^^^^^^^^^^^^^^\nConnectionResetError: [Errno 104] Connection reset by peer\n`,
  ),
  gaierror: evidence(
    'gaierror',
    '[Errno -2] Name or service not known',
    `Traceback (most recent call last):\n  File "${PY}", line 11, in resolve\n    socket.getaddrinfo("db.steward-nonexistent.invalid", 5432)\n  File "${LIB}/socket.py", line 962, in getaddrinfo\n    for res in _socket.getaddrinfo(host, port, family, type, proto, flags):\nsocket.gaierror: [Errno -2] Name or service not known\n`,
  ),
  urlNotFound: evidence(
    'URLError',
    '<urlopen error [Errno -2] Name or service not known>',
    `Traceback (most recent call last):\n  File "${PY}", line 12, in fetch\n    urllib.request.urlopen("http://db.steward-nonexistent.invalid/x", timeout=2)\n  File "${LIB}/urllib/request.py", line 1351, in do_open\n    raise URLError(err)\nurllib.error.URLError: <urlopen error [Errno -2] Name or service not known>\n`,
  ),
  timedOut: evidence(
    'TimeoutError',
    'timed out',
    `Traceback (most recent call last):\n  File "${PY}", line 19, in fetch\n    urllib.request.urlopen(f"http://127.0.0.1:{port}/x", timeout=0.3)\n  File "${LIB}/http/client.py", line 286, in _read_status\n    line = str(self.fp.readline(_MAXLINE + 1), "iso-8859-1")\n  File "${LIB}/socket.py", line 706, in readinto\n    return self._sock.recv_into(b)\nTimeoutError: timed out\n`,
  ),
  // A socket's own time-out leaves the plugin's frame innermost: the C call has none.
  recvTimedOut: evidence('TimeoutError', 'timed out', `Traceback (most recent call last):\n  File "${PY}", line 22, in read_reply\n    s.recv(10)\nTimeoutError: timed out\n`),
  environ: evidence(
    'KeyError',
    "'ORDERS_API_KEY'",
    `Traceback (most recent call last):\n  File "${PY}", line 14, in init\n    return os.environ["ORDERS_API_KEY"]\n           ~~~~~~~~~~^^^^^^^^^^^^^^^^^^^^\n  File "<frozen os>", line 679, in __getitem__\nKeyError: 'ORDERS_API_KEY'\n`,
  ),
  environBefore311: evidence(
    'KeyError',
    "'ORDERS_API_KEY'",
    `Traceback (most recent call last):\n  File "${PY}", line 14, in init\n    return os.environ["ORDERS_API_KEY"]\n  File "/usr/lib/python3.8/os.py", line 675, in __getitem__\n    raise KeyError(key) from None\nKeyError: 'ORDERS_API_KEY'\n`,
  ),
};

describe('classifyEnvironmentError', () => {
  it("classifies Node's connection, name and time-out failures by their code, with the address and where they were raised", () => {
    expect(classifyEnvironmentError(node.refused)).toEqual({
      kind: 'connection',
      what: 'the connection to `127.0.0.1:1` was refused (ECONNREFUSED)',
      signal: 'the error code ECONNREFUSED',
      target: '127.0.0.1:1',
      raisedAt: 'TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611)',
    });
    expect(classifyEnvironmentError(node.reset)).toMatchObject({ kind: 'connection', what: 'the connection to `127.0.0.1:35979` was reset by the other side (ECONNRESET)' });
    expect(classifyEnvironmentError(node.notFound)).toMatchObject({
      kind: 'dns',
      target: 'db.steward-nonexistent.invalid',
      what: 'the name `db.steward-nonexistent.invalid` did not resolve (ENOTFOUND)',
    });
    // The message alone, as an event without the code field carries it.
    expect(classifyEnvironmentError(node.tryAgain)).toMatchObject({ kind: 'dns', target: 'db.internal', signal: 'the error code EAI_AGAIN' });
    expect(classifyEnvironmentError(node.timedOut)).toMatchObject({ kind: 'timeout', target: '10.0.0.7:443', what: 'a call to `10.0.0.7:443` timed out (ETIMEDOUT)' });
    // The plugin's own wrapper, raised in its code, keeps the code's words and the address.
    const wrapped = evidence(
      'Error',
      'orders database: connect ECONNREFUSED 10.0.0.5:5432',
      `Error: orders database: connect ECONNREFUSED 10.0.0.5:5432\n    at connectDb (${APP}:14:11)`,
    );
    expect(classifyEnvironmentError(wrapped)).toMatchObject({ kind: 'connection', target: '10.0.0.5:5432', raisedAt: 'connectDb (src/client.js:14)' });
    expect(classifyEnvironmentError(node.fetchTimeout)).toMatchObject({
      kind: 'timeout',
      signal: 'a TimeoutError raised outside the plugin',
      raisedAt: 'node:internal/deps/undici/undici:14976',
    });
  });

  it("classifies Python's refused, reset, unresolved and timed-out sockets, bare or wrapped by urllib", () => {
    expect(classifyEnvironmentError(python.refused)).toMatchObject({ kind: 'connection', what: 'the connection was refused', signal: 'the type ConnectionRefusedError' });
    expect(classifyEnvironmentError(python.refused)?.raisedAt).toBe(`create_connection (${LIB}/socket.py:836)`);
    expect(classifyEnvironmentError(python.urlRefused)).toMatchObject({ kind: 'connection', what: 'the connection failed: Connection refused' });
    expect(classifyEnvironmentError(python.reset)).toMatchObject({ kind: 'connection', what: 'the connection was reset by the other side' });
    expect(classifyEnvironmentError(python.gaierror)).toMatchObject({ kind: 'dns', signal: 'the type gaierror' });
    expect(classifyEnvironmentError(python.urlNotFound)).toMatchObject({ kind: 'dns', what: 'a name did not resolve: Name or service not known' });
    expect(classifyEnvironmentError(python.timedOut)).toMatchObject({ kind: 'timeout', signal: "Python's socket time-out (TimeoutError: timed out)" });
    expect(classifyEnvironmentError(python.recvTimedOut)).toMatchObject({ kind: 'timeout' });
  });

  it('classifies a setting missing at start-up: os.environ, the usual wording, a declared variable said to be empty, a start-up refusal', () => {
    expect(classifyEnvironmentError(python.environ)).toEqual({
      kind: 'configuration',
      what: 'the environment variable `ORDERS_API_KEY` is not set',
      signal: 'a KeyError raised by os.environ',
      variable: 'ORDERS_API_KEY',
      raisedAt: '__getitem__ (<frozen os>:679)',
    });
    expect(classifyEnvironmentError(python.environBefore311)).toMatchObject({ kind: 'configuration', variable: 'ORDERS_API_KEY' });
    const missing = evidence(
      'Error',
      'Missing required environment variable DATABASE_URL',
      `Error: Missing required environment variable DATABASE_URL\n    at requireEnv (${APP}:4:11)\n    at Object.init (${APP}:12:5)`,
      { operation: 'init' },
    );
    expect(classifyEnvironmentError(missing)).toMatchObject({ kind: 'configuration', variable: 'DATABASE_URL', raisedAt: 'requireEnv (src/client.js:4)' });
    expect(
      classifyEnvironmentError(evidence('Error', 'environment variable ORDERS_REGION is not set', `Error: environment variable ORDERS_REGION is not set\n    at ${APP}:3:9`)),
    ).toMatchObject({
      variable: 'ORDERS_REGION',
    });
    // The eval suite's webhook-verify, production without its secret: validate() says so.
    const secret = evidence(
      'Error',
      'WEBHOOK_SECRET is empty; every delivery would be rejected',
      'Error: WEBHOOK_SECRET is empty; every delivery would be rejected\n    at Object.validate (src/index.js:25:13)',
      {
        declared: ['WEBHOOK_SECRET'],
      },
    );
    expect(classifyEnvironmentError(secret)).toMatchObject({ kind: 'configuration', variable: 'WEBHOOK_SECRET', what: 'the setting `WEBHOOK_SECRET` is missing or empty' });
    const refused = evidence('Error', 'ORDERS_DB_URL must use the postgres:// scheme', `Error: ORDERS_DB_URL must use the postgres:// scheme\n    at Object.init (${APP}:9:13)`, {
      declared: ['ORDERS_DB_URL'],
      operation: 'init',
    });
    expect(classifyEnvironmentError(refused)).toMatchObject({ kind: 'configuration', signal: 'a start-up failure naming the declared variable ORDERS_DB_URL' });
  });

  it('leaves code defects alone, however much their message says about time-outs, connections or settings', () => {
    const notClassified: ErrorEvidence[] = [
      // Real: a property read on a missing options object, and a bad delay.
      evidence('TypeError', "Cannot read properties of undefined (reading 'timeout')", `TypeError: Cannot read properties of undefined (reading 'timeout')\n    at ${APP}:27:34`),
      evidence(
        'RangeError',
        'The value of "delay" is out of range. It must be >= 0 && <= 4294967295. Received -1',
        `RangeError [ERR_OUT_OF_RANGE]: The value of "delay" is out of range. It must be >= 0 && <= 4294967295. Received -1\n    at AbortSignal.timeout (node:internal/abort_controller:186:5)\n    at ${APP}:29:19`,
        { code: 'ERR_OUT_OF_RANGE' },
      ),
      // Real: the plugin's own time-out, and a dict without the key.
      evidence(
        'TimeoutError',
        'job queue did not drain within the configured timeout',
        `Traceback (most recent call last):\n  File "${PY}", line 40, in drain\n    raise TimeoutError("job queue did not drain within the configured timeout")\nTimeoutError: job queue did not drain within the configured timeout\n`,
      ),
      evidence(
        'KeyError',
        "'retries'",
        `Traceback (most recent call last):\n  File "${PY}", line 44, in settings\n    return d["retries"]\n           ~^^^^^^^^^^^\nKeyError: 'retries'\n`,
      ),
      // A TimeoutError the plugin raises itself, with the same words as AbortSignal.timeout's.
      evidence('TimeoutError', 'The operation was aborted due to timeout', `TimeoutError: The operation was aborted due to timeout\n    at waitForSlot (${APP}:31:11)`),
      // The host's own limit on a call: an endless loop as likely as a slow dependency.
      evidence('Timeout', 'execute did not finish within 5000 ms', ''),
      // Real: undici's fetch failure; its cause (refused? a bad scheme?) is not in the event.
      evidence(
        'TypeError',
        'fetch failed',
        `TypeError: fetch failed\n    at node:internal/deps/undici/undici:14976:13\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n    at async ${APP}:10:7`,
      ),
      evidence('Error', 'invalid timeout value: -1', `Error: invalid timeout value: -1\n    at parseOptions (${APP}:8:11)`),
      // A program error that names a declared variable is still the code's.
      evidence(
        'TypeError',
        "Cannot read properties of undefined (reading 'ORDERS_DB_URL')",
        `TypeError: Cannot read properties of undefined (reading 'ORDERS_DB_URL')\n    at ${APP}:5:20`,
        {
          declared: ['ORDERS_DB_URL'],
        },
      ),
      // The eval suite's config-load defects: a loader that misreads a valid value, or forgets to await a preset.
      evidence(
        'ConfigError',
        'http.port (env:APP_HTTP__PORT): expected an integer, got "8081"',
        'ConfigError: http.port (env:APP_HTTP__PORT): expected an integer, got "8081"\n    at coerce (src/load.js:40:11)',
        {
          declared: ['CONFIG_LOAD_PROFILE', 'CONFIG_LOAD_ENV_PREFIX'],
        },
      ),
      evidence(
        'ConfigError',
        'jobs.concurrency is required: set it in the config, its preset or APP_JOBS__CONCURRENCY',
        'ConfigError: jobs.concurrency is required: set it in the config, its preset or APP_JOBS__CONCURRENCY\n    at check (src/load.js:71:13)',
        { declared: ['CONFIG_LOAD_PROFILE', 'CONFIG_LOAD_ENV_PREFIX'] },
      ),
      // A declared variable named while executing, with nothing said to be wrong with it.
      evidence(
        'Error',
        'WEBHOOK_SECRET holds 3 secrets; at most 2 while rotating',
        'Error: WEBHOOK_SECRET holds 3 secrets; at most 2 while rotating\n    at Object.execute (src/index.js:31:13)',
        {
          declared: ['WEBHOOK_SECRET'],
        },
      ),
    ];
    for (const error of notClassified) expect(classifyEnvironmentError(error), `${error.type}: ${error.message}`).toBeUndefined();
  });
});

describe('classifyEnvironmentError on the eval suites', () => {
  it("classifies no event of a task that expects a fix, and the configuration tasks' events as configuration", () => {
    const verdicts: string[] = [];
    const suites = join(STEWARD_ROOT, 'evals', 'suites');
    for (const suite of readdirSync(suites)) {
      for (const task of readdirSync(join(suites, suite))) {
        const file = join(suites, suite, task, 'task.json');
        if (!existsSync(file)) continue;
        const spec = JSON.parse(readFileSync(file, 'utf8')) as {
          expect: { fix: boolean };
          events: { plugin: string; error: { type: string; message: string; stack?: string; code?: string }; invocation?: { operation?: string } }[];
        };
        const manifest = JSON.parse(readFileSync(join(suites, suite, task, 'plugin', 'plugin.json'), 'utf8')) as { env?: { name: string }[] };
        for (const event of spec.events) {
          const found = classifyEnvironmentError({
            ...evidence(event.error.type, event.error.message, event.error.stack ?? '', { code: event.error.code, operation: event.invocation?.operation }),
            declared: (manifest.env ?? []).map((v) => v.name),
          });
          if (found) verdicts.push(`${task} (fix: ${spec.expect.fix}): ${found.kind}`);
        }
      }
    }
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.filter((v) => v.includes('(fix: true)'))).toEqual([]);
    expect([...new Set(verdicts)].sort()).toEqual(['config-load-profile-unset (fix: false): configuration', 'webhook-verify-secret-missing (fix: false): configuration']);
  });
});

describe('whereConfigured', () => {
  const env = [
    { name: 'ORDERS_DB_URL', required: true, secret: true },
    { name: 'ORDERS_REGION', required: false, secret: false },
  ];
  it("points at the manifest's env entry by name and position, and at where its value comes from", () => {
    const found = classifyEnvironmentError(
      evidence('Error', 'ORDERS_DB_URL is not set', `Error: ORDERS_DB_URL is not set\n    at ${APP}:3:9`, { declared: ['ORDERS_DB_URL', 'ORDERS_REGION'] }),
    );
    if (!found) throw new Error('not classified');
    expect(whereConfigured(found, env, 'plugins/orders/plugin.json')).toBe(
      "`ORDERS_DB_URL` (`$.env[0]` in `plugins/orders/plugin.json`, a secret): its value comes from the environment of the process that runs the plugin (the plugin host, `steward start`); steward.config.json holds no plugin's settings",
    );
  });

  it('says an undeclared variable never reaches the plugin, and names the settings a refused address may come from', () => {
    const environ = classifyEnvironmentError(python.environ);
    const refused = classifyEnvironmentError(node.refused);
    if (!environ || !refused) throw new Error('not classified');
    expect(whereConfigured(environ, env, 'plugins/orders/plugin.json')).toMatch(
      /^`ORDERS_API_KEY` is not declared in `plugins\/orders\/plugin\.json` \(`env`\): the plugin host gives a plugin only/,
    );
    expect(whereConfigured(refused, env, 'plugins/orders/plugin.json')).toMatch(/^the plugin's settings that may point at it: `ORDERS_DB_URL` \(`\$\.env\[0\]`/);
    expect(whereConfigured(refused, [], 'plugins/orders/plugin.json')).toBe(
      "`plugins/orders/plugin.json` declares no environment variable: what failed is set in the plugin's code, its files or its input",
    );
  });
});
