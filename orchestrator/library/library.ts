import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { StewardError } from '../core/errors.ts';
import { CONFIG_FILE, loadConfig, type LibraryConfig } from './config.ts';
import { assertPluginName } from './names.ts';

interface LibraryPaths {
  plugins: string;
  templates: string;
  linked: string;
  scaffold: string;
  playbooks: string;
  state: string;
}

export interface Library {
  /** Absolute, symlinks resolved. */
  root: string;
  config: LibraryConfig;
  /** False when the library runs on defaults without a steward.config.json. */
  hasConfigFile: boolean;
  paths: LibraryPaths;
}

function isLibraryRoot(dir: string): boolean {
  if (existsSync(join(dir, CONFIG_FILE))) return true;
  // A library may run on defaults: the fixed layout is enough to recognise it.
  return existsSync(join(dir, 'plugins')) && existsSync(join(dir, 'templates', 'linked'));
}

/** The library root: `explicit` (flag or STEWARD_LIBRARY), else the nearest ancestor that is one. */
export function findLibraryRoot(cwd: string, explicit?: string): string {
  if (explicit) {
    const root = resolve(cwd, explicit);
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      throw new StewardError('E_NOT_A_LIBRARY', `library directory ${root} does not exist`);
    }
    return realpathSync(root);
  }
  let dir = resolve(cwd);
  for (;;) {
    if (isLibraryRoot(dir)) return realpathSync(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new StewardError('E_NOT_A_LIBRARY', `no steward library at or above ${resolve(cwd)}`, {
    hint: `run "steward init" in the library's root, or pass --library <dir>`,
  });
}

export function openLibrary(options: { cwd?: string; library?: string } = {}): Library {
  const root = findLibraryRoot(options.cwd ?? process.cwd(), options.library ?? process.env.STEWARD_LIBRARY);
  const config = loadConfig(root);
  const templates = join(root, config.templatesDir);
  return {
    root,
    config,
    hasConfigFile: existsSync(join(root, CONFIG_FILE)),
    paths: {
      plugins: join(root, config.pluginsDir),
      templates,
      linked: join(templates, 'linked'),
      scaffold: join(templates, 'scaffold'),
      playbooks: join(root, config.playbooksDir),
      state: join(root, config.stateDir),
    },
  };
}

/** Plugin directory names, sorted; hidden entries and files are not plugins. */
export function listPluginNames(library: Library): string[] {
  if (!existsSync(library.paths.plugins)) return [];
  return readdirSync(library.paths.plugins, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

export function pluginDir(library: Library, name: string): string {
  return join(library.paths.plugins, assertPluginName(name));
}

/** The plugin's directory relative to the library root, with "/" separators: its subtree prefix. */
export function pluginPrefix(library: Library, name: string): string {
  return relative(library.root, pluginDir(library, name)).split('\\').join('/');
}

export function requirePlugin(library: Library, name: string): string {
  const dir = pluginDir(library, name);
  if (!existsSync(dir)) {
    throw new StewardError('E_PLUGIN_UNKNOWN', `no plugin "${name}" in ${relative(library.root, library.paths.plugins) || '.'}/`);
  }
  return dir;
}

/** The named plugins after checking each exists, or all of them. */
export function selectPlugins(library: Library, names?: readonly string[]): string[] {
  if (!names || names.length === 0) return listPluginNames(library);
  for (const name of names) requirePlugin(library, name);
  return [...names];
}

/** The environment that makes git commit as the library's configured author, as author and committer. */
export function commitIdentity(library: Library): Record<string, string> {
  const { name, email } = library.config.commitAuthor;
  return { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email };
}
