import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import { extname, join } from 'node:path';
import { StewardError } from '../core/errors.ts';
import { appendHistory, HISTORY_FILE, readHistory, type HistoryEntry } from './history.ts';
import { pluginPrefix, requirePlugin, type Library } from './library.ts';
import { loadManifest, MANIFEST_FILE, type Manifest } from './manifest.ts';
import { isInside, walkPlugin } from './tree.ts';

export const PLAYBOOK_LINK = '.steward/PLAYBOOK.md';

const LANGUAGES: Record<string, string> = {
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.py': 'python',
  '.sh': 'shell',
  '.bash': 'shell',
  '.json': 'json',
  '.md': 'markdown',
  '.yml': 'yaml',
  '.yaml': 'yaml',
};

interface SourceFile {
  path: string;
  bytes: number;
  lines: number;
  language: string;
}

export interface PlaybookSource {
  text: string;
  source: 'link' | 'override' | 'manifest';
  file: string;
  /** For an override: the library's playbook it stands on, whose policies it may only tighten. */
  base?: { text: string; file: string };
}

export interface PluginContext {
  name: string;
  dir: string;
  prefix: string;
  manifest: Manifest;
  agentMd: string;
  playbook: PlaybookSource;
  history: HistoryEntry[];
  historySkipped: { line: number; reason: string }[];
  sources: SourceFile[];
}

/** The playbook text a plugin's agent follows (its link, its override, or its manifest's choice). */
export function readPlaybook(library: Library, name: string): PluginContext['playbook'] {
  const dir = requirePlugin(library, name);
  return playbookFor(library, dir, loadManifest(dir, `${pluginPrefix(library, name)}/${MANIFEST_FILE}`));
}

function playbookFor(library: Library, dir: string, manifest: Manifest): PluginContext['playbook'] {
  const link = join(dir, PLAYBOOK_LINK);
  let stat;
  try {
    stat = lstatSync(link);
  } catch {
    stat = undefined;
  }
  if (stat?.isFile()) return { text: readFileSync(link, 'utf8'), source: 'override', file: PLAYBOOK_LINK, base: libraryPlaybook(library, manifest) };
  if (manifest.playbook) {
    const file = join(library.paths.playbooks, `${manifest.playbook}.md`);
    if (!existsSync(file)) {
      throw new StewardError('E_PLAYBOOK_MISSING', `playbook "${manifest.playbook}" does not exist`, { file: MANIFEST_FILE, path: '$.playbook' });
    }
    return { text: readFileSync(file, 'utf8'), source: 'manifest', file: `${library.config.playbooksDir}/${manifest.playbook}.md` };
  }
  if (!stat?.isSymbolicLink() || !existsSync(link)) {
    throw new StewardError('E_PLAYBOOK_MISSING', `${PLAYBOOK_LINK} is missing or broken`, { hint: 'run "steward templates link"' });
  }
  // The link is steward's: it must end in the library's templates or playbooks, nowhere else.
  const real = realpathSync(link);
  if (!isInside(realpathSync(library.paths.templates), real) && !(existsSync(library.paths.playbooks) && isInside(realpathSync(library.paths.playbooks), real))) {
    throw new StewardError('E_SYMLINK_ESCAPE', `${PLAYBOOK_LINK} leads outside the library's templates`, { file: PLAYBOOK_LINK });
  }
  return { text: readFileSync(real, 'utf8'), source: 'link', file: PLAYBOOK_LINK };
}

/** The library's playbook for a plugin whose own file replaced the link: its manifest's choice, else the default. */
function libraryPlaybook(library: Library, manifest: Manifest): { text: string; file: string } {
  const name = manifest.playbook ?? library.config.defaultPlaybook;
  const file = join(library.paths.playbooks, `${name}.md`);
  if (existsSync(file)) return { text: readFileSync(file, 'utf8'), file: `${library.config.playbooksDir}/${name}.md` };
  const linked = join(library.paths.linked, 'PLAYBOOK.md');
  if (existsSync(linked)) return { text: readFileSync(linked, 'utf8'), file: `${library.config.templatesDir}/linked/PLAYBOOK.md` };
  throw new StewardError('E_PLAYBOOK_MISSING', `the library has no playbook "${name}" for an override to stand on`, { file });
}

/** Lines as `wc -l` counts them, plus an unterminated last one: a final newline starts no line. */
function countLines(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function indexSources(dir: string): SourceFile[] {
  return walkPlugin(dir)
    .filter((e) => e.kind === 'file' && !e.path.startsWith('.steward/'))
    .map((e) => ({
      path: e.path,
      bytes: e.size,
      lines: e.size > 1_000_000 ? 0 : countLines(readFileSync(join(dir, e.path), 'utf8')),
      language: LANGUAGES[extname(e.path)] ?? 'other',
    }));
}

/** What a plugin's agent reads before it acts: manifest, AGENT.md, playbook, recent history, code index. */
export function loadPluginContext(library: Library, name: string, options: { historyLimit?: number } = {}): PluginContext {
  const dir = requirePlugin(library, name);
  const prefix = pluginPrefix(library, name);
  const manifest = loadManifest(dir, `${prefix}/${MANIFEST_FILE}`);
  const agentFile = join(dir, 'AGENT.md');
  if (!existsSync(agentFile)) throw new StewardError('E_AGENT_MD_MISSING', 'AGENT.md is missing', { file: `${prefix}/AGENT.md` });
  const history = readHistory(dir, options.historyLimit ?? library.config.historyLimit);
  return {
    name,
    dir,
    prefix,
    manifest,
    agentMd: readFileSync(agentFile, 'utf8'),
    playbook: playbookFor(library, dir, manifest),
    history: history.entries,
    historySkipped: history.skipped,
    sources: indexSources(dir),
  };
}

/** `appendHistory(name, entry)` at library level: one validated line in the plugin's history. */
export function appendPluginHistory(library: Library, name: string, entry: unknown): HistoryEntry {
  return appendHistory(requirePlugin(library, name), entry, `${pluginPrefix(library, name)}/${HISTORY_FILE}`);
}
