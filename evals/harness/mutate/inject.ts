import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { MUTATIONS } from '../../../agents/fixers/offline/templates/index.ts';
import { applyEdits, compiles, descendants, JS_FILE, lineOf, parse, statementOn, type Edit } from '../../../agents/fixers/offline/source.ts';
import { StewardError } from '../../../orchestrator/core/errors.ts';

/** One injected defect: the files it changes (whole new texts), its category and where it sits. */
export interface Mutant {
  id: string;
  title: string;
  category: string;
  files: Record<string, string>;
  /** The first changed line of the first changed file: where tier 1 expects the stack to point. */
  site: { file: string; line: number };
}

/** A text edit that must match exactly once, so a defect file never edits the wrong place. */
export interface TextEdit {
  file: string;
  find: string;
  replace: string;
}

export function firstChangedLine(before: string, after: string): number {
  const a = before.split('\n');
  const b = after.split('\n');
  const at = a.findIndex((line, i) => line !== b[i]);
  return (at === -1 ? a.length : at) + 1;
}

/** A defect given as exact text edits (any runtime). */
export function mutantFromEdits(pluginDir: string, defect: { id: string; title: string; category: string; edits: readonly TextEdit[] }, where: string): Mutant {
  const files: Record<string, string> = {};
  let site: Mutant['site'] | undefined;
  defect.edits.forEach((edit, i) => {
    const original = files[edit.file] ?? readFileSync(join(pluginDir, edit.file), 'utf8');
    const at = original.indexOf(edit.find);
    const path = `$.defects[?(@.id=="${defect.id}")].edits[${i}].find`;
    if (at === -1) throw new StewardError('E_USAGE', `"${edit.find.slice(0, 60)}" is not in ${edit.file}`, { file: where, path });
    if (original.indexOf(edit.find, at + 1) !== -1)
      throw new StewardError('E_USAGE', `"${edit.find.slice(0, 60)}" occurs more than once in ${edit.file}: give more context`, { file: where, path });
    const changed = original.slice(0, at) + edit.replace + original.slice(at + edit.find.length);
    site ??= { file: edit.file, line: firstChangedLine(original, changed) };
    files[edit.file] = changed;
  });
  if (!site) throw new StewardError('E_USAGE', `defect "${defect.id}" has no edits`, { file: where });
  return { ...defect, files, site };
}

/** Injectors that undo what a fix template adds: the defects the templates repair. */
const REMOVALS: { name: string; category: string; edits: (sf: ts.SourceFile, statement: ts.Node) => { edits: Edit[]; what: string }[] }[] = [
  {
    name: 'default-removed',
    category: 'null check',
    edits: (sf, statement) =>
      descendants(statement, ts.isBinaryExpression)
        .filter((b) => b.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
        .map((b) => ({ edits: [{ start: b.left.getEnd(), end: b.getEnd(), text: '' }], what: `\`?? ${b.right.getText(sf)}\` removed` })),
  },
  {
    name: 'optional-chain-removed',
    category: 'null check',
    edits: (sf, statement) =>
      descendants(statement, (n): n is ts.PropertyAccessExpression => ts.isPropertyAccessExpression(n) && n.questionDotToken !== undefined).map((p) => ({
        edits: [{ start: p.questionDotToken!.getStart(sf), end: p.questionDotToken!.getEnd(), text: '.' }],
        what: `\`?.${p.name.getText(sf)}\` became \`.${p.name.getText(sf)}\``,
      })),
  },
  {
    name: 'await-removed',
    category: 'missing await',
    edits: (sf, statement) =>
      descendants(statement, ts.isAwaitExpression).map((a) => ({
        edits: [{ start: a.getStart(sf), end: a.expression.getStart(sf), text: '' }],
        what: `\`await\` removed before \`${a.expression.getText(sf).slice(0, 40)}\``,
      })),
  },
  {
    name: 'radix-removed',
    category: 'type coercion',
    edits: (sf, statement) =>
      descendants(statement, ts.isCallExpression)
        .filter((c) => c.expression.getText(sf).endsWith('parseInt') && c.arguments.length === 2)
        .map((c) => ({ edits: [{ start: c.arguments[0]!.getEnd(), end: c.arguments[1]!.getEnd(), text: '' }], what: 'the radix of `parseInt` removed' })),
  },
];

const CATEGORY: Record<string, string> = { boundary: 'boundary', coercion: 'type coercion', 'swapped-arguments': 'argument order', operator: 'wrong operator' };

/** Directories that hold no source of the plugin's own: tests, dependencies, caches. */
const NOT_SOURCE = new Set(['node_modules', 'test', 'tests', '.steward', '.git', '__pycache__', '.venv', 'venv', 'site-packages']);

/** The plugin's own source files (by name, `isSource`), relative to its directory. */
export function sourceFiles(pluginDir: string, isSource: (name: string) => boolean, dir = pluginDir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (NOT_SOURCE.has(name)) return [];
    if (statSync(path).isDirectory()) return sourceFiles(pluginDir, isSource, path);
    return isSource(name) ? [relative(pluginDir, path)] : [];
  });
}

const isJsSource = (name: string): boolean => JS_FILE.test(name) && !/\.(test|spec)\./.test(name);

/**
 * Every small defect of a known category that can be injected into the plugin's
 * JavaScript and TypeScript sources: the offline fixer's mutations, and the removal of
 * what its templates add (a default, an optional chain, an await, a radix). Each
 * mutant compiles; equal texts are kept once.
 */
export function autoMutants(pluginDir: string, plugin: string): Mutant[] {
  const out: Mutant[] = [];
  const seen = new Set<string>();
  for (const file of sourceFiles(pluginDir, isJsSource)) {
    const original = readFileSync(join(pluginDir, file), 'utf8');
    const sf = parse(file, original);
    const statements = new Set<ts.Node>();
    for (let line = 1; line <= sf.getLineAndCharacterOfPosition(sf.getEnd()).line + 1; line++) {
      const statement = statementOn(sf, line);
      if (statement && !ts.isImportDeclaration(statement) && !ts.isFunctionDeclaration(statement) && !ts.isClassDeclaration(statement)) statements.add(statement);
    }
    for (const statement of statements) {
      const line = lineOf(sf, statement.getStart(sf));
      const proposals = [
        ...MUTATIONS.flatMap((m) =>
          m.propose({ file, sf, statement, line }).map((p) => ({ category: CATEGORY[m.name] ?? m.name, edits: p.edits, what: p.rationale.replace(/^[^:]*: /, '') })),
        ),
        ...REMOVALS.flatMap((r) => r.edits(sf, statement).map((e) => ({ category: r.category, ...e }))),
      ];
      for (const proposal of proposals) {
        let changed: string;
        try {
          changed = applyEdits(original, proposal.edits);
        } catch {
          continue;
        }
        if (changed === original || seen.has(`${file}\0${changed}`) || !compiles(file, changed)) continue;
        seen.add(`${file}\0${changed}`);
        const slug = proposal.category.replace(/\s+/g, '-');
        out.push({
          id: `${plugin}-${slug}-${out.filter((m) => m.category === proposal.category).length + 1}`,
          title: `${proposal.what} at ${file}:${firstChangedLine(original, changed)}`,
          category: proposal.category,
          files: { [file]: changed },
          site: { file, line: firstChangedLine(original, changed) },
        });
      }
    }
  }
  return out;
}

/** The tier eval-task.md gives a defect: 1 when a stack frame names its line, 2 otherwise. */
export function tierOf(site: Mutant['site'], stack: string | undefined): 1 | 2 {
  for (const line of (stack ?? '').split('\n')) {
    const node = /([^\s(]+?):(\d+)(?::\d+)?\)?\s*$/.exec(line);
    const python = /File "([^"]+)", line (\d+)/.exec(line);
    const [file, at] = node ? [node[1], node[2]] : python ? [python[1], python[2]] : [undefined, undefined];
    if (file && Number(at) === site.line && (file === site.file || file.endsWith(`/${site.file}`))) return 1;
  }
  return 2;
}
