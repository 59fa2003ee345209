import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { StewardError } from '../core/errors.ts';
import { listPluginNames, pluginDir, type Library } from './library.ts';

export type LinkState = 'linked' | 'missing' | 'broken' | 'overridden';

export interface LinkStatus {
  plugin: string;
  /** Path inside the plugin, e.g. `.steward/PLAYBOOK.md`. */
  file: string;
  state: LinkState;
  /** What is wrong with a broken link. */
  detail?: string;
}

/** Files under templates/linked/, relative and "/"-separated; symlinks count as files. */
export function linkedTemplates(library: Library): string[] {
  const root = library.paths.linked;
  if (!existsSync(root)) return [];
  const files: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else files.push(relative(root, full).split(sep).join('/'));
    }
  };
  visit(root);
  return files.sort();
}

function expectedTarget(library: Library, plugin: string, template: string): { link: string; target: string } {
  const link = join(pluginDir(library, plugin), '.steward', template);
  return { link, target: relative(dirname(link), join(library.paths.linked, template)) };
}

export function linkStatus(library: Library, plugin: string, template: string): LinkStatus {
  const file = `.steward/${template}`;
  const { link, target } = expectedTarget(library, plugin, template);
  let stat;
  try {
    stat = lstatSync(link);
  } catch {
    return { plugin, file, state: 'missing' };
  }
  if (!stat.isSymbolicLink()) {
    return stat.isFile() ? { plugin, file, state: 'overridden' } : { plugin, file, state: 'broken', detail: 'not a file or a link' };
  }
  const actual = readlinkSync(link);
  // An absolute link breaks once the library is cloned elsewhere, and doctor reports it
  // as a symlink escape: it is broken even where it resolves, so linkTemplates rewrites it.
  if (isAbsolute(actual)) {
    return { plugin, file, state: 'broken', detail: `points to ${actual}, an absolute path; links are relative` };
  }
  if (resolve(dirname(link), actual) !== resolve(dirname(link), target)) {
    return { plugin, file, state: 'broken', detail: `points to ${actual}, not ${target}` };
  }
  try {
    statSync(link);
  } catch {
    return { plugin, file, state: 'broken', detail: `${actual} does not resolve` };
  }
  return { plugin, file, state: 'linked' };
}

export function checkLinks(library: Library, plugins = listPluginNames(library)): LinkStatus[] {
  const templates = linkedTemplates(library);
  return plugins.flatMap((plugin) => templates.map((template) => linkStatus(library, plugin, template)));
}

/**
 * Makes every missing or broken link; leaves overrides alone, since a regular file
 * in place of a link is a maintainer's deliberate choice. Returns the states after.
 */
export function linkTemplates(library: Library, plugins = listPluginNames(library)): LinkStatus[] {
  ensurePlaybookLink(library);
  const templates = linkedTemplates(library);
  if (templates.length === 0) {
    throw new StewardError('E_TEMPLATE_MISSING', `no files in ${relative(library.root, library.paths.linked)}/ to link`);
  }
  const after: LinkStatus[] = [];
  for (const plugin of plugins) {
    for (const template of templates) {
      const status = linkStatus(library, plugin, template);
      const { link, target } = expectedTarget(library, plugin, template);
      // Only a link is ever replaced: a directory in the way may hold someone's work.
      const replaceable = status.state === 'missing' || (status.state === 'broken' && lstatSync(link).isSymbolicLink());
      if (replaceable) {
        mkdirSync(dirname(link), { recursive: true });
        if (status.state === 'broken') rmSync(link, { force: true });
        symlinkSync(target, link);
        after.push(linkStatus(library, plugin, template));
      } else {
        after.push(status);
      }
    }
  }
  return after;
}

/**
 * templates/linked/PLAYBOOK.md leads to the configured default playbook, so changing
 * `defaultPlaybook` re-points every plugin at once. A regular file there is the
 * library's own choice and stays.
 */
export function ensurePlaybookLink(library: Library): void {
  const playbook = join(library.paths.playbooks, `${library.config.defaultPlaybook}.md`);
  if (!existsSync(playbook)) {
    throw new StewardError('E_PLAYBOOK_MISSING', `the default playbook "${library.config.defaultPlaybook}" does not exist`, {
      file: relative(library.root, playbook),
      hint: 'fix "defaultPlaybook" in steward.config.json or add the playbook',
    });
  }
  const link = join(library.paths.linked, 'PLAYBOOK.md');
  const target = relative(dirname(link), playbook);
  let stat;
  try {
    stat = lstatSync(link);
  } catch {
    stat = undefined;
  }
  if (stat && !stat.isSymbolicLink()) return;
  if (stat && readlinkSync(link) === target) return;
  mkdirSync(dirname(link), { recursive: true });
  rmSync(link, { force: true });
  symlinkSync(target, link);
}
