import { commonEnds } from './hunks.ts';
import { blockAfter, defines, enclosingLoop, esc, exclusive, functionStart, mentions, readBetween, readPart } from './blocks.ts';

/** What a rewritten line leaves wrong in its function, as the reviewer reads it. */
export interface ChangedFinding {
  id: 'dropped-read' | 'parameter-rebound' | 'loop-member' | 'appended-alias';
  why: string;
}

/**
 * Four ways a rewritten line can make an error go away while the function stays
 * broken (each an anti-pattern a linter names; Tan et al.'s "no dead code" is the
 * first's kin):
 *
 * - `dropped-read`: one line rewritten so it no longer reads a local variable, and
 *   the value an earlier line gave that variable is now thrown away: set again by the
 *   rewritten line before anything reads it, or read nowhere in the function at all
 *   (`list = sorted(list)` → `list = sorted(days)` leaves the line that built `list`
 *   dead). The work that line did was the reason for the read.
 * - `parameter-rebound`: a written line binds a parameter's name (a loop target, a
 *   plain assignment) before anything in the function read the parameter, so the
 *   caller's value is lost (pylint's redefined-argument-from-local).
 * - `loop-member`: a written condition asks whether a loop's item is in the very
 *   collection the loop walks (`for i in lst: if i not in lst`), which the loop leaves
 *   unchanged: the answer is the same on every pass, a trivial condition in disguise.
 * - `appended-alias`: a written line adds a list (or any container) to another inside
 *   a loop that keeps changing that container in place and never binds it afresh
 *   (`sort.append(lst)` beside `lst.remove(largest)`): every pass stores the same
 *   object, so the result holds one container many times, in its final state (the
 *   classic aliasing slip; the element was meant, or a copy).
 *
 * Like `insertedAssignment`, this reads blocks by indentation from the whole file.
 */
export function changedLines(before: string, after: string, python: boolean): ChangedFinding | undefined {
  // Line breaks as data: a CRLF file's `\r` would end a comment's match early.
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  const { start, end } = commonEnds(a, b);
  const removed = a.slice(start, a.length - end);
  const added = b.slice(start, b.length - end);
  if (removed.length === 1 && added.length === 1) {
    const finding = droppedRead(b, start, removed[0] ?? '', python);
    if (finding) return finding;
  }
  for (let at = start; at < start + added.length; at++) {
    const finding = parameterRebound(b, at, python) ?? loopMember(b, at, python) ?? appendedAlias(b, at, removed, python);
    if (finding) return finding;
  }
  return undefined;
}

const KEYWORDS = new Set(
  'and as assert async await break case catch class const continue def del elif else except export False finally for from function global if import in is lambda let new None nonlocal not null of or pass raise return self this throw True try typeof undefined var void while with yield'.split(
    ' ',
  ),
);

/** Lines as code: strings (docstrings and template literals across lines too) emptied, comments dropped. */
function codeOf(lines: readonly string[], python: boolean): string {
  return lines
    .join('\n')
    .replace(python ? /("""|''')[\s\S]*?\1/g : /`(?:\\.|[^`])*`/g, '""')
    .replace(/(["'])(?:\\.|(?!\1)[^\n])*\1/g, '""')
    .replace(python ? /#.*$/gm : /\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
}

/** The plain names a line mentions (no attribute or property names, no keywords). */
function namesOf(line: string, python: boolean): Set<string> {
  const code = codeOf([line], python);
  return new Set([...code.matchAll(/(?<![\w.$])[A-Za-z_$][\w$]*(?![\w$])/g)].map((m) => m[0]).filter((name) => !KEYWORDS.has(name)));
}

function droppedRead(b: readonly string[], at: number, removed: string, python: boolean): ChangedFinding | undefined {
  const line = b[at] ?? '';
  const fn = functionStart(b, at, python);
  const bodyEnd = fn === undefined ? b.length : blockAfter(b, fn);
  for (const name of namesOf(removed, python)) {
    if (!mentions(readPart(removed, name), name) || mentions(readPart(line, name), name)) continue;
    let d = at - 1;
    while (d > (fn ?? -1) && !defines(b[d] ?? '', name)) d--;
    if (d <= (fn ?? -1) || exclusive(b, d, at) || readBetween(b, d, at, name, python)) continue;
    if (defines(line, name)) return { id: 'dropped-read', why: `it no longer reads \`${name}\` and sets it again, so the value line ${d + 1} gave it is thrown away unread` };
    if (!b.slice((fn ?? -1) + 1, bodyEnd).some((l) => mentions(readPart(codeOf([l], python), name), name)))
      return { id: 'dropped-read', why: `it no longer reads \`${name}\`, and nothing else does, so the value line ${d + 1} gave it is thrown away unread` };
  }
  return undefined;
}

function parameterRebound(b: readonly string[], at: number, python: boolean): ChangedFinding | undefined {
  const fn = functionStart(b, at, python);
  if (fn === undefined) return undefined;
  const line = b[at] ?? '';
  for (const name of parametersOf(b[fn] ?? '', python)) {
    const bound = bindingOf(line, name, python);
    if (bound === undefined || mentions(bound, name)) continue;
    if (mentions(codeOf(b.slice(fn + 1, at), python), name)) continue;
    return { id: 'parameter-rebound', why: `it binds \`${name}\`, a parameter nothing has read yet, so the caller's \`${name}\` is lost` };
  }
  return undefined;
}

/** The parameters a one-line function header names (defaults, types and `*`/`...` dropped; destructuring skipped). */
function parametersOf(header: string, python: boolean): string[] {
  const list = /\(([^()]*)\)/.exec(header)?.[1] ?? (python ? undefined : /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(header)?.[1]);
  if (list === undefined || /[{[]/.test(list)) return [];
  return list
    .split(',')
    .map((p) =>
      p
        .replace(/[:=].*$/s, '')
        .replace(/^\s*(\*{1,2}|\.\.\.)/, '')
        .trim(),
    )
    .filter((p) => /^[A-Za-z_$][\w$]*$/.test(p) && p !== 'self' && p !== 'cls');
}

/**
 * When the line binds `name` as a loop target or plain assignment target, the part of
 * the line that is read before the binding (the iterable, the assigned value).
 */
function bindingOf(line: string, name: string, python: boolean): string | undefined {
  const n = esc(name);
  const target = String.raw`(?:[\w$]+\s*,\s*)*${n}(?:\s*,\s*[\w$]+)*`;
  const loop = python
    ? new RegExp(String.raw`^\s*(?:async\s+)?for\s+\(?${target}\)?\s+in\s+(.*)$`).exec(line)
    : new RegExp(String.raw`^\s*for\s*\(\s*(?:const|let|var)?\s*\[?${target}\]?\s+(?:of|in)\s+(.*)$`).exec(line);
  if (loop) return loop[1];
  const assign = python ? new RegExp(String.raw`^\s*${target}\s*=(?!=)(.*)$`).exec(line) : new RegExp(String.raw`^\s*(?:let\s+|var\s+|const\s+)?${n}\s*=(?![=>])(.*)$`).exec(line);
  return assign?.[1];
}

function loopMember(b: readonly string[], at: number, python: boolean): ChangedFinding | undefined {
  const line = codeOf([b[at] ?? ''], python);
  const asked = python
    ? /^\s*(?:if|elif|while)\b.*?(?<![\w.])([A-Za-z_]\w*)\s+(?:not\s+)?in\s+([A-Za-z_]\w*)(?![\w.([])/.exec(line)
    : /(?<![\w.$])([A-Za-z_$][\w$]*)\.includes\(\s*([A-Za-z_$][\w$]*)\s*\)/.exec(line);
  if (!asked) return undefined;
  const [item, collection] = python ? [asked[1] ?? '', asked[2] ?? ''] : [asked[2] ?? '', asked[1] ?? ''];
  const walks = python
    ? new RegExp(String.raw`^\s*for\s+${esc(item)}\s+in\s+${esc(collection)}\s*:`)
    : new RegExp(String.raw`^\s*for\s*\(\s*(?:const|let|var)\s+${esc(item)}\s+of\s+${esc(collection)}\s*\)`);
  for (let loop = enclosingLoop(b, at, python); loop !== undefined; loop = enclosingLoop(b, loop, python)) {
    if (!walks.test(b[loop] ?? '')) continue;
    // A loop that changes the collection can make the answer change; then it is no constant.
    const c = esc(collection);
    const changes = new RegExp(String.raw`(?<![\w.$])${c}\s*(?:[-+*|&]?=(?!=)|\.(?:remove|pop|append|insert|extend|clear|push|splice|shift|unshift)\()|\bdel\s+${c}\b`);
    if (b.slice(loop + 1, blockAfter(b, loop)).some((l) => changes.test(codeOf([l], python)))) return undefined;
    return {
      id: 'loop-member',
      why: `it asks whether \`${item}\` is in \`${collection}\`, the collection the loop at line ${loop + 1} takes it from, so the answer is the same on every pass`,
    };
  }
  return undefined;
}

/** `out.append(x)`, `out.insert(i, x)`; `out.push(x)`, `out.unshift(x)`: the receiver and the plain name added. */
const ADDS_PY = /(?<![\w$])([A-Za-z_][\w.]*)\.(?:append|insert)\(\s*(?:[^,()]+,\s*)?([A-Za-z_]\w*)\s*\)/;
const ADDS_JS = /(?<![\w$])([A-Za-z_$][\w$.]*)\.(?:push|unshift)\(\s*([A-Za-z_$][\w$]*)\s*\)/;

function appendedAlias(b: readonly string[], at: number, removed: readonly string[], python: boolean): ChangedFinding | undefined {
  const adds = python ? ADDS_PY : ADDS_JS;
  const added = adds.exec(codeOf([b[at] ?? ''], python));
  if (!added) return undefined;
  const [, receiver = '', item = ''] = added;
  if (receiver === item || removed.some((l) => adds.exec(codeOf([l], python))?.[2] === item)) return undefined;
  const n = esc(item);
  const changes = new RegExp(
    String.raw`(?<![\w.$])${n}\.(?:remove|pop|append|insert|extend|clear|sort|reverse|push|splice|shift|unshift|fill|set|delete)\(|\bdel\s+${n}\[|(?<![\w.$])${n}\[[^\]]+\]\s*=(?!=)`,
  );
  const rebinds = new RegExp(
    python ? String.raw`^\s*(?:for\s+)?(?:[\w,\s]*,\s*)?${n}\s*(?:=(?!=)|,|\s+in\b)` : String.raw`(?<![\w.$])${n}\s*=(?![=>])|\b(?:const|let|var)\s+${n}\b`,
  );
  for (let loop = enclosingLoop(b, at, python); loop !== undefined; loop = enclosingLoop(b, loop, python)) {
    const body = b.slice(loop, blockAfter(b, loop)).map((l) => codeOf([l], python));
    if (body.some((l) => rebinds.test(l))) return undefined;
    const line = body.findIndex((l, i) => loop + i !== at && changes.test(l));
    if (line < 0) continue;
    return {
      id: 'appended-alias',
      why: `it adds \`${item}\` itself to \`${receiver}\` while the loop at line ${loop + 1} keeps changing \`${item}\` in place (line ${loop + line + 1}), so every pass stores the same object`,
    };
  }
  return undefined;
}
