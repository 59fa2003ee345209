/**
 * Stack traces of captured errors: parsed into frames (Node/V8 and Python), made relative to the plugin
 * root, and rendered back as a Node-style stack for storage. Frames are always innermost first.
 */

export interface Frame {
  /** The function as the runtime named it (`parseRow`, `new Parser`, `Object.<anonymous>`, `<module>`); null when unnamed. */
  function: string | null;
  /** A path, `node:…` internal, or a pseudo file (`<anonymous>`, `native`, `<string>`). */
  file: string;
  line: number | null;
  column: number | null;
  /** The plugin's own code: inside the plugin root, not a dependency, not the runtime. */
  inApp: boolean;
  /** The line as it was, trimmed. */
  raw: string;
}

/** Longer lines are data, not frames. */
const MAX_FRAME_LINE = 4096;

const NODE_FRAME = /^at\s+(.*)$/;
const PYTHON_FRAME = /^File "([^"]*)", line (\d+)(?:, in (.+))?$/;
const PYTHON_TRACEBACK = /^Traceback \(most recent call last\):$/;

/** `file:///abs/x.js` → `/abs/x.js`, `file:///C:/x.js` → `C:/x.js`; percent-escapes and a query go. */
function fromFileUrl(file: string): string {
  if (!file.startsWith('file://')) return file;
  let path = file.slice('file://'.length).replace(/[?#].*$/, '');
  if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

interface Location {
  file: string;
  line: number | null;
  column: number | null;
}

/** `file:line:col`, `file:line`, or a pseudo location (`native`, `<anonymous>`, `index 0`). */
function parseLocation(text: string): Location {
  const location = text.trim();
  // eval frames: `eval at fn (file:1:2), <anonymous>:3:4` → where the eval was called, innermost origin.
  if (location.startsWith('eval at ')) {
    const origin = /\(([^()]*?):(\d+):(\d+)\)/.exec(location);
    if (origin) return { file: fromFileUrl(origin[1] ?? ''), line: Number(origin[2]), column: Number(origin[3]) };
    return { file: '<anonymous>', line: null, column: null };
  }
  const full = /^(.*?):(\d+):(\d+)$/.exec(location);
  if (full) return { file: fromFileUrl(full[1] ?? ''), line: Number(full[2]), column: Number(full[3]) };
  const lineOnly = /^(.*?):(\d+)$/.exec(location);
  if (lineOnly) return { file: fromFileUrl(lineOnly[1] ?? ''), line: Number(lineOnly[2]), column: null };
  return { file: fromFileUrl(location), line: null, column: null };
}

/** Splits `fn (location)` at the parenthesis that closes the line, nested parentheses allowed. */
function splitCall(body: string): { name: string; location: string } | null {
  if (!body.endsWith(')')) return null;
  let depth = 0;
  for (let index = body.length - 1; index >= 0; index--) {
    const char = body[index];
    if (char === ')') depth++;
    else if (char === '(' && --depth === 0) {
      return { name: body.slice(0, index).trim(), location: body.slice(index + 1, -1) };
    }
  }
  return null;
}

function parseNodeFrame(raw: string, body: string): Frame | null {
  let text = body.trim();
  // `async fn` and `fn` are the same function before and after its first await.
  if (text.startsWith('async ')) text = text.slice('async '.length).trim();
  if (text.length === 0) return null;
  const call = splitCall(text);
  const location = parseLocation(call ? call.location : text);
  if (location.file.length === 0) return null;
  // A bare `at something` with no position and no parenthesis is not a frame we can place.
  if (!call && location.line === null && !/^(?:native|<anonymous>)$/.test(location.file)) return null;
  return { function: call && call.name.length > 0 ? call.name : null, ...location, inApp: false, raw };
}

/**
 * The frames of a Node/V8 or Python stack, innermost first. Python tracebacks list the innermost frame
 * last, so each traceback is reversed; with chained exceptions the last traceback (the one raised) comes
 * first. Lines that are no frame (messages, source excerpts, carets) are skipped.
 */
export function parseStack(stack: string): Frame[] {
  const node: Frame[] = [];
  const pythonBlocks: Frame[][] = [];
  let block: Frame[] = [];
  for (const line of stack.split(/\r?\n/)) {
    if (line.length > MAX_FRAME_LINE) continue;
    const raw = line.trim();
    if (PYTHON_TRACEBACK.test(raw)) {
      if (block.length > 0) pythonBlocks.push(block);
      block = [];
      continue;
    }
    const python = PYTHON_FRAME.exec(raw);
    if (python) {
      const name = python[3]?.trim();
      block.push({ function: name && name.length > 0 ? name : null, file: python[1] ?? '', line: Number(python[2]), column: null, inApp: false, raw });
      continue;
    }
    const nodeLine = NODE_FRAME.exec(raw);
    if (nodeLine) {
      const frame = parseNodeFrame(raw, nodeLine[1] ?? '');
      if (frame) node.push(frame);
    }
  }
  if (block.length > 0) pythonBlocks.push(block);
  const python = pythonBlocks.reverse().flatMap((frames) => frames.reverse());
  return [...python, ...node];
}

// ---------------------------------------------------------------------------------------------------------

function toSlashes(path: string): string {
  return path.replace(/\\/g, '/');
}

const WINDOWS_DRIVE = /^[A-Za-z]:\//;

function normaliseRoot(root: string): string {
  const slashed = toSlashes(fromFileUrl(root));
  return slashed.endsWith('/') ? slashed : `${slashed}/`;
}

/** Everything up to and including the last `/plugins/<plugin>/` or `/steward-wc-<x>/plugin/`. */
function pluginPrefixEnd(path: string, plugin: string): number {
  let end = -1;
  const library = `/plugins/${plugin}/`;
  const inLibrary = path.lastIndexOf(library);
  if (inLibrary >= 0) end = inLibrary + library.length;
  const workingCopy = /\/steward-wc-[^/]+\/plugin\//g;
  for (let match = workingCopy.exec(path); match !== null; match = workingCopy.exec(path)) end = Math.max(end, match.index + match[0].length);
  return end;
}

function relativise(file: string, plugin: string, roots: readonly string[]): string {
  const path = toSlashes(fromFileUrl(file));
  for (const root of roots) {
    const matches = WINDOWS_DRIVE.test(root) ? path.toLowerCase().startsWith(root.toLowerCase()) : path.startsWith(root);
    if (matches) return path.slice(root.length);
  }
  const end = pluginPrefixEnd(path, plugin);
  if (end >= 0) return path.slice(end);
  return path.startsWith('./') ? path.slice(2) : path;
}

const DEPENDENCY_DIR = /(?:^|\/)(?:node_modules|site-packages|dist-packages)\//;

function isInApp(file: string): boolean {
  if (file.length === 0) return false;
  if (file.startsWith('/') || WINDOWS_DRIVE.test(file)) return false; // stayed absolute: outside the plugin
  if (file.startsWith('../') || file === '..') return false;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(file)) return false; // node:internal/…, http://…, webpack:…
  if (file.includes('<') || file === 'native' || /^index \d+$/.test(file)) return false; // <anonymous>, <string>, <frozen …>
  return !DEPENDENCY_DIR.test(file);
}

/**
 * Frames with `file` relative to the plugin root where it lies inside it (a `pluginRoots` prefix, else
 * the last `/plugins/<plugin>/` or `/steward-wc-<x>/plugin/` segment), `/` separators, and `inApp` set:
 * relative, and neither a dependency (`node_modules`, `site-packages`, `dist-packages`) nor the runtime.
 */
export function normaliseFrames(frames: Frame[], options: { plugin: string; pluginRoots?: readonly string[] }): Frame[] {
  const roots = (options.pluginRoots ?? [])
    .filter((root) => root.length > 0)
    .map(normaliseRoot)
    .sort((a, b) => b.length - a.length);
  return frames.map((frame) => {
    const file = relativise(frame.file, options.plugin, roots);
    return { ...frame, file, inApp: isInApp(file) };
  });
}

function renderLocation(frame: Frame): string {
  if (frame.line === null) return frame.file;
  return frame.column === null ? `${frame.file}:${frame.line}` : `${frame.file}:${frame.line}:${frame.column}`;
}

/** A Node-style stack: `Type: message` then `    at fn (file:line:col)` a frame, innermost first. */
export function formatStack(type: string, message: string, frames: Frame[]): string {
  const head = message.length > 0 ? `${type}: ${message}` : type;
  const lines = frames.map((frame) => (frame.function === null ? `    at ${renderLocation(frame)}` : `    at ${frame.function} (${renderLocation(frame)})`));
  return [head, ...lines].join('\n');
}
