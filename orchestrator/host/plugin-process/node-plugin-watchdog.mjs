// A Node plugin process's watchdog: a worker thread, started once per process, that
// takes the main thread's JavaScript stack when a call hangs. The main thread may be
// stuck in a synchronous loop and read nothing, so the stack is taken without its help:
// an inspector session on the main thread (no port, no network) has V8 run a probe in
// it, which V8 does at the loop's next interrupt check, on top of the loop's frames.
// Nothing runs until a hang is suspected, so a call that ends normally pays nothing.
//
// workerData:
//   { fd }   long-lived mode: the host asks on this fd, one JSON line per request,
//            {"id"}, and gets {"id","frames"} or {"id","waiting":true} back;
//   { at }   process-protocol mode: at this wall-clock time (epoch ms), shortly before
//            the sandbox's limit, the stack is written to stderr as one JSON line,
//            {"hang":{"frames"}} or {"hang":{"waiting":true}}, the last word of a call
//            the sandbox is about to kill.
import { Session } from 'node:inspector';
import { writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';

/** Frames kept at most: a deep recursion's stack is its top. */
const MAX_FRAMES = 50;
const HOST_DIR = fileURLToPath(new URL('.', import.meta.url));
const ROOT = `${process.cwd()}/`;
const PROBE = 'stewardHangProbe';

/**
 * Run on the main thread by the inspector. A busy thread runs it inside V8's interrupt,
 * on top of the frames it was running, so the Error's stack is theirs, formatted by V8
 * itself (source maps included where the plugin has them on); an idle thread runs it
 * from its event loop, with nothing beneath.
 */
const EXPRESSION = `(function ${PROBE}() {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = ${MAX_FRAMES + 2};
  try {
    return String(new Error('hang').stack);
  } finally {
    Error.stackTraceLimit = limit;
  }
})()`;

let session;
function connect() {
  if (!session) {
    session = new Session();
    session.connectToMainThread();
  }
  return session;
}

function post(method, params = {}) {
  return new Promise((resolve, reject) => connect().post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
}

/** A stack line of the host's own plugin process (this directory): from there on, the runtime is calling the plugin. */
function isHost(line) {
  return line.includes(pathToFileURL(HOST_DIR).href) || line.includes(HOST_DIR);
}

/**
 * The interrupted frames of the probe's stack: the probe's own two frames (the probe and
 * the evaluated script) go, and so does everything from the host's first frame on; paths
 * inside the plugin become relative to its root.
 */
function framesOf(stack) {
  const lines = stack.split('\n');
  const probe = lines.findIndex((line) => line.includes(PROBE));
  const below = probe >= 0 ? lines.slice(probe + 2) : [];
  const host = below.findIndex(isHost);
  return (host >= 0 ? below.slice(0, host) : below)
    .slice(0, MAX_FRAMES)
    .map((line) => line.replaceAll(pathToFileURL(ROOT).href, '').replaceAll(ROOT, ''))
    .join('\n');
}

/**
 * The main thread's stack now, without its help: the frames it is running, or, when it
 * runs no JavaScript at all (a call awaiting a promise that never settles), that it was
 * waiting.
 */
async function capture() {
  try {
    const { result, exceptionDetails } = await post('Runtime.evaluate', { expression: EXPRESSION, returnByValue: true, silent: true });
    if (exceptionDetails || typeof result?.value !== 'string') return { error: 'the stack could not be read' };
    const frames = framesOf(result.value);
    return frames ? { frames } : { waiting: true };
  } catch (error) {
    return { error: String(error?.message ?? error) };
  }
}

if (typeof workerData?.fd === 'number') {
  // The host's requests keep this thread alive; the process's life is the main thread's (unref'd there).
  const channel = new Socket({ fd: workerData.fd, readable: true, writable: true });
  channel.on('error', () => undefined);
  let buffer = '';
  channel.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!line) continue;
      let request;
      try {
        request = JSON.parse(line);
      } catch {
        continue;
      }
      void capture().then((answer) => channel.write(`${JSON.stringify({ id: request.id, ...answer })}\n`));
    }
  });
} else if (typeof workerData?.at === 'number') {
  // A timer alone would let this thread end before the inspector answers: held until the stack is out.
  const hold = setInterval(() => undefined, 60_000);
  setTimeout(
    async () => {
      const hang = await capture();
      // Synchronously: the main thread, which owns process.stderr, may be the one stuck.
      writeSync(2, `\n${JSON.stringify({ hang })}\n`);
      clearInterval(hold);
    },
    Math.max(0, workerData.at - Date.now()),
  );
}
