/**
 * Where a call was when its time limit struck. The plugin processes leave that behind
 * (node-plugin-watchdog.mjs for Node, faulthandler in python-plugin.py for Python);
 * this turns it into the Timeout error's stack, in the runtime's own format, so the
 * stack parsing, grouping and issue rendering read it as any other stack.
 */
import type { ThrownError } from './types.ts';

/**
 * How long before the limit a process-protocol call's stack is taken: late enough that
 * it is where the call is stuck, early enough that it is out before the sandbox's kill
 * at the limit (a Node watchdog needs tens of milliseconds, and on a loaded machine
 * more than a hundred, to be scheduled and answer).
 */
export function stackLeadMs(timeoutMs: number): number {
  // Never more than half the limit: a very short one must not take its stack while the plugin loads.
  return Math.min(500, Math.max(250, Math.round(timeoutMs / 10)), Math.round(timeoutMs / 2));
}

/** What a watchdog reports of a hung Node call: its frames as V8 prints them, or that no code was running. */
export interface NodeHang {
  frames?: string;
  waiting?: boolean;
  error?: string;
}

/** A timed-out call's error, with its stack when the watchdog got one. */
export function timeoutError(message: string, hang: NodeHang | undefined): ThrownError {
  if (hang?.frames) return { type: 'Timeout', message, stack: `Timeout: ${message}\n${hang.frames}` };
  if (hang?.waiting) {
    // No stack to show: the message says why, since an awaited promise that never settles leaves none.
    return {
      type: 'Timeout',
      message: `${message}; no code was running at the limit: the call was waiting on something that never came (a promise never settled, an event never fired)`,
    };
  }
  return { type: 'Timeout', message };
}

const NODE_HANG = /^\{"hang":/;

/** The last hang line a `--once` Node process wrote to stderr. */
function nodeHangOf(stderr: string): NodeHang | undefined {
  const lines = stderr.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    if (!NODE_HANG.test(line)) continue;
    try {
      const { hang } = JSON.parse(line) as { hang?: NodeHang };
      if (hang && typeof hang === 'object') return hang;
    } catch {
      // A plugin's own line that looks like ours: not a report.
    }
  }
  return undefined;
}

const DUMP_START = /^Timeout \(\d+:\d\d:\d\d(?:\.\d+)?\)!$/;
const THREAD = /^(?:Current thread|Thread) 0x[0-9a-f]+ .*\(most recent call first\):$/;
const DUMP_FRAME = /^ {2}File "(.*)", line (\d+) in (.*)$/;
const RUNNER = 'plugin-process/python-plugin.py';

/**
 * faulthandler's dump (every thread, most recent call first) as a Python traceback of
 * the plugin's thread alone (the one the runner started the entry in), most recent call
 * last, without the runner's and runpy's frames, paths relative to `root`.
 */
function pythonTraceback(stderr: string, message: string, root: string | undefined): string | undefined {
  const lines = stderr.split('\n');
  const start = lines.findLastIndex((line) => DUMP_START.test(line));
  if (start < 0) return undefined;
  const threads: { file: string; line: string; fn: string }[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (THREAD.test(line)) {
      threads.push([]);
      continue;
    }
    const frame = DUMP_FRAME.exec(line);
    if (frame) threads.at(-1)?.push({ file: frame[1] ?? '', line: frame[2] ?? '', fn: frame[3] ?? '' });
    else if (line !== '' && threads.length > 0) break;
  }
  const main = threads.find((frames) => frames.some((f) => f.file.endsWith(RUNNER)));
  if (!main) return undefined;
  const prefix = root ? `${root.replace(/\/$/, '')}/` : undefined;
  const frames = main
    .filter((f) => !f.file.endsWith(RUNNER) && !f.file.includes('runpy'))
    .reverse()
    .map((f) => `  File "${prefix && f.file.startsWith(prefix) ? f.file.slice(prefix.length) : f.file}", line ${f.line}, in ${f.fn}`);
  if (frames.length === 0) return undefined;
  return `Traceback (most recent call last):\n${frames.join('\n')}\nTimeout: ${message}`;
}

/** A process-protocol call that hit its limit: the stack its process left on stderr, Node's or Python's, when there is one. */
export function processTimeoutError(stderr: string, message: string, root?: string): ThrownError {
  const node = nodeHangOf(stderr);
  if (node) {
    const error = timeoutError(message, node);
    return error.stack && root ? { ...error, stack: error.stack.replaceAll(`${root.replace(/\/$/, '')}/`, '') } : error;
  }
  const traceback = pythonTraceback(stderr, message, root);
  return traceback ? { type: 'Timeout', message, stack: traceback } : { type: 'Timeout', message };
}
