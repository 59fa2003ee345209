import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { summary } from '../commands.ts';
import { writeDefaultConfig } from '../../library/config.ts';
import { openLibrary } from '../../library/library.ts';
import { ensurePlaybookLink } from '../../library/links.ts';
import { print } from '../output.ts';

/** steward's own checkout: the templates and playbooks a new library starts from. */
export { STEWARD_ROOT } from '../../core/steward-root.ts';
import { STEWARD_ROOT } from '../../core/steward-root.ts';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(summary('init'))
    .option('--dir <dir>', 'library root to initialise', '.')
    .action((options: { dir: string }) => {
      const root = resolve(options.dir);
      mkdirSync(root, { recursive: true });
      // Editors complete steward.config.json from steward's own schema, wherever steward is installed.
      const file = writeDefaultConfig(root, { $schema: relative(root, join(STEWARD_ROOT, 'docs/specs/steward.config.schema.json')).split(sep).join('/') });
      const library = openLibrary({ library: root });
      mkdirSync(library.paths.plugins, { recursive: true });
      mkdirSync(library.paths.state, { recursive: true });
      for (const dir of ['templates', 'playbooks'] as const) {
        const target = dir === 'templates' ? library.paths.templates : library.paths.playbooks;
        if (!existsSync(target)) cpSync(join(STEWARD_ROOT, dir), target, { recursive: true, verbatimSymlinks: true });
      }
      ensurePlaybookLink(library);
      ignoreStateDir(root, library.config.stateDir);
      print(`wrote ${file}`);
      print('next: commit, then "steward plugin add <name> --from <url>" or "steward plugin new <name>"');
    });
}

/** The state dir is per machine: it must never be committed. */
function ignoreStateDir(root: string, stateDir: string): void {
  const file = join(root, '.gitignore');
  const entry = `/${stateDir.replace(/\/+$/, '')}/`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current.split('\n').includes(entry)) return;
  appendFileSync(file, `${current && !current.endsWith('\n') ? '\n' : ''}${entry}\n`);
}
