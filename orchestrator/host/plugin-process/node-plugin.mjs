// Runs one Node plugin inside the sandbox. Two modes:
//   node-plugin.mjs <entry>          long-lived: JSON lines over fd 3 (the host's channel),
//                                    so nothing the plugin prints can corrupt the protocol;
//   node-plugin.mjs <entry> --once [<stack-at>]
//                                    the process protocol: one request on stdin, one answer
//                                    on stdout, the error as the last line of stderr; at
//                                    <stack-at> (epoch ms, just before the sandbox's limit)
//                                    a hung call's stack goes to stderr (see the watchdog);
//   node-plugin.mjs <entry> --batch  many executes in one process, as the long-lived host
//                                    serves them: {"inputs":[…],"perCallMs":n} on stdin, one
//                                    JSON line per input on stdout ({"i","ok","output"|"error"}).
// Plain JavaScript with no imports beyond Node's own: it must start fast and alone.
import { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

const [entry, mode, stackAt] = process.argv.slice(2);
const env = JSON.parse(process.env.STEWARD_PLUGIN_ENV ?? '{}');
delete process.env.STEWARD_PLUGIN_ENV;

/** Any thrown value as { type, message, stack, code }: plugins throw strings and objects too. */
function describe(value) {
  if (value instanceof Error) {
    return {
      type: value.name || value.constructor?.name || 'Error',
      message: String(value.message),
      ...(value.stack ? { stack: value.stack } : {}),
      ...(value.code !== undefined ? { code: String(value.code) } : {}),
    };
  }
  let message;
  try {
    message = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    message = String(value);
  }
  return { type: value === null ? 'null' : `thrown ${typeof value}`, message };
}

/**
 * The watchdog thread that takes the stack of a hung call (node-plugin-watchdog.mjs).
 * Without the tsx loader (it is plain JavaScript), unref'd so that it never keeps the
 * process alive, and never fatal: a process without one only loses hang stacks.
 */
function startWatchdog(workerData) {
  try {
    const worker = new Worker(new URL('./node-plugin-watchdog.mjs', import.meta.url), { workerData, execArgv: [], stdout: true, stderr: true });
    worker.on('error', () => undefined);
    worker.unref();
  } catch {
    // No worker threads here: hangs keep their message, without a stack.
  }
}

/**
 * One turn of the event loop after a call returns, before it is answered: an error the
 * call left behind (a promise it did not await that fails at once, a callback that
 * throws) surfaces in it and is the call's. Every mode answers only after it, so a call
 * fails under the long-lived host exactly when it fails in a reproduction (`--once`,
 * where the error ends the process) or a `--batch` replay.
 */
function pastTheCall() {
  return new Promise((resolve) => setImmediate(resolve));
}

function makeContext(send, signal) {
  const log = {};
  for (const level of ['debug', 'info', 'warn', 'error']) {
    log[level] = (msg, data) => send({ log: { level, msg: String(msg), ...(data === undefined ? {} : { data }) } });
  }
  return { env, log, signal, workdir: process.cwd() };
}

async function load() {
  const module = await import(pathToFileURL(resolve(entry)).href);
  const plugin = module.default;
  if (!plugin || typeof plugin.execute !== 'function') throw new TypeError(`${entry} does not default-export an object with execute()`);
  return plugin;
}

async function perform(plugin, op, input, ctx) {
  switch (op) {
    case 'init':
      return plugin.init ? plugin.init(ctx) : undefined;
    case 'validate':
      return plugin.validate ? plugin.validate(ctx) : undefined;
    case 'execute':
      return plugin.execute(input, ctx);
    case 'help':
      return plugin.help ? plugin.help() : `${plugin.name ?? 'plugin'}: no help`;
    case 'cleanup':
      return plugin.cleanup ? plugin.cleanup() : undefined;
    default:
      throw new TypeError(`unknown operation ${op}`);
  }
}

async function once() {
  // The contract's error line, not Node's crash report (which names host paths).
  const crash = (value) => {
    process.stderr.write(`\n${JSON.stringify({ error: describe(value) })}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  if (Number(stackAt) > 0) startWatchdog({ at: Number(stackAt) });
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const request = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  const send = (message) => message.log && process.stderr.write(`${JSON.stringify(message.log)}\n`);
  try {
    const plugin = await load();
    const ctx = makeContext(send, new AbortController().signal);
    if (request.op === 'execute' || request.op === 'validate') await perform(plugin, 'init', undefined, ctx);
    // As the long-lived host starts a plugin: validate() before the first execute, so a
    // reproduction fails where production would.
    if (request.op === 'execute') await perform(plugin, 'validate', undefined, ctx);
    const result = await perform(plugin, request.op ?? 'execute', request.input, ctx);
    await pastTheCall();
    if (request.op === 'execute' || request.op === 'validate') await perform(plugin, 'cleanup', undefined, ctx);
    process.stdout.write(JSON.stringify(result ?? null));
    process.exitCode = 0;
  } catch (error) {
    process.stderr.write(`\n${JSON.stringify({ error: describe(error) })}\n`);
    process.exitCode = 1;
  }
}

async function batch() {
  // Whatever the plugin prints goes to stderr: stdout carries only the answers.
  const answer = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk, ...rest) => process.stderr.write(chunk, ...rest);
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const { inputs = [], perCallMs = 5000 } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  let current = -1;
  // An error no call awaited belongs to the call in flight: it fails, the batch goes on.
  let escaped;
  process.on('uncaughtException', (value) => (escaped ??= value));
  process.on('unhandledRejection', (value) => (escaped ??= value));
  const send = (message) => message.log && process.stderr.write(`${JSON.stringify(message.log)}\n`);
  const ctx = makeContext(send, new AbortController().signal);
  let plugin;
  try {
    plugin = await load();
    await perform(plugin, 'init', undefined, ctx);
    await perform(plugin, 'validate', undefined, ctx);
  } catch (error) {
    process.stderr.write(`\n${JSON.stringify({ error: describe(error) })}\n`);
    process.exit(1);
  }
  const LATE = Symbol('late');
  for (const input of inputs) {
    current++;
    escaped = undefined;
    // Each call its own signal, aborted at its time limit as the long-lived host does.
    const controller = new AbortController();
    let timer;
    const late = new Promise((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve(LATE);
      }, perCallMs);
    });
    let line;
    try {
      const output = await Promise.race([perform(plugin, 'execute', input, makeContext(send, controller.signal)), late]);
      if (output === LATE) {
        answer(`${JSON.stringify({ i: current, ok: false, timeout: true, error: { type: 'Timeout', message: 'did not finish within the time limit' } })}\n`);
        continue;
      }
      await pastTheCall();
      if (escaped !== undefined) throw escaped;
      line = { i: current, ok: true, output: output === undefined ? null : output };
    } catch (error) {
      line = { i: current, ok: false, error: describe(error) };
    } finally {
      clearTimeout(timer);
    }
    let text;
    try {
      text = JSON.stringify(line);
    } catch (error) {
      text = JSON.stringify({ i: current, ok: false, error: { type: 'ProtocolError', message: `the output is not JSON: ${describe(error).message}` } });
    }
    answer(`${text}\n`);
  }
  process.exit(0);
}

function serve() {
  const channel = new Socket({ fd: 3, readable: true, writable: true });
  // Once an error escaped, the process is on its way out and says nothing more: the host
  // fails the calls still open with that error.
  let dying = false;
  const send = (message) => dying || channel.write(`${JSON.stringify(message)}\n`);
  const controllers = new Map();
  let plugin;
  const fatal = (kind) => (value) => {
    if (dying) return;
    send({ fatal: { kind, ...describe(value) } });
    dying = true;
    // Let the message leave before the process does.
    channel.end(() => process.exit(70));
    setTimeout(() => process.exit(70), 200).unref();
  };
  process.on('uncaughtException', fatal('uncaughtException'));
  process.on('unhandledRejection', fatal('unhandledRejection'));

  let buffer = '';
  channel.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line) handle(JSON.parse(line));
    }
  });
  // The host went away: nothing more to do.
  channel.on('end', () => process.exit(0));

  async function handle(request) {
    if (request.op === 'abort') return controllers.get(request.id)?.abort();
    const controller = new AbortController();
    controllers.set(request.id, controller);
    try {
      plugin ??= await load();
      const result = await perform(plugin, request.op, request.input, makeContext(send, controller.signal));
      await pastTheCall();
      send({ id: request.id, ok: true, result: result === undefined ? null : result });
    } catch (error) {
      send({ id: request.id, ok: false, error: describe(error) });
    } finally {
      controllers.delete(request.id);
    }
  }
  // The host asks for a hung call's stack on fd 4, which the main thread never reads: it may be the one stuck.
  startWatchdog({ fd: 4 });
  send({ ready: true, pid: process.pid });
}

if (mode === '--once') await once();
else if (mode === '--batch') await batch();
else serve();
