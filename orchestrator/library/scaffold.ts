import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { StewardError } from '../core/errors.ts';
import { type Library, pluginDir } from './library.ts';
import { linkedTemplates, linkTemplates } from './links.ts';
import { checkManifest, updateManifestFile } from './manifest.ts';

export interface NewPluginOptions {
  description?: string;
  owners?: string[];
  upstream?: { url: string; branch: string };
}

function substitute(dir: string, values: Record<string, string>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) substitute(full, values);
    else if (entry.isFile() && statSync(full).size < 1_000_000) {
      const text = readFileSync(full, 'utf8');
      const replaced = text.replace(/\{\{(\w+)\}\}/g, (match, key: string) => values[key] ?? match);
      if (replaced !== text) writeFileSync(full, replaced);
    }
  }
}

/**
 * `steward plugin new`: templates/scaffold/ copied with {{name}} and {{description}}
 * filled in, built beside the plugins and renamed into place only once it is valid.
 */
export function scaffoldPlugin(library: Library, name: string, options: NewPluginOptions = {}): string {
  const dir = pluginDir(library, name);
  if (existsSync(dir)) throw new StewardError('E_PLUGIN_EXISTS', `${relative(library.root, dir)}/ already exists`);
  if (!existsSync(library.paths.scaffold)) {
    throw new StewardError('E_TEMPLATE_MISSING', `no scaffold at ${relative(library.root, library.paths.scaffold)}/`);
  }
  const staging = mkdtempSync(join(library.paths.plugins, `.new-${name}-`));
  try {
    cpSync(library.paths.scaffold, staging, { recursive: true });
    substitute(staging, { name, description: options.description ?? `The ${name} plugin.` });
    updateManifestFile(staging, (raw) => {
      if (options.owners?.length) raw.owners = options.owners;
      if (options.upstream) raw.upstream = options.upstream;
    });
    const problem = checkManifest(staging, name).problems[0];
    if (problem) {
      throw new StewardError('E_TEMPLATE_MISSING', `the scaffold makes an invalid manifest: ${problem.message}`, { path: problem.path });
    }
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  if (linkedTemplates(library).length > 0) linkTemplates(library, [name]);
  return dir;
}
