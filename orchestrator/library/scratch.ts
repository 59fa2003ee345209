import { cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from './git/run.ts';
import { writeDefaultConfig, type LibraryConfig } from './config.ts';
import { openLibrary, type Library } from './library.ts';
import { ensurePlaybookLink } from './links.ts';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Steward Demo',
  GIT_AUTHOR_EMAIL: 'demo@steward.localhost',
  GIT_COMMITTER_NAME: 'Steward Demo',
  GIT_COMMITTER_EMAIL: 'demo@steward.localhost',
};

/** Files a copied plugin must not carry: build output and steward's own links. */
const SKIP = /(^|\/)(node_modules|test-results|__pycache__)(\/|$)|(^|\/)\.steward\/PLAYBOOK\.md$/;

/**
 * A bare upstream repository holding `sourceDir` as its first commit, on `branch`:
 * what a plugin's own repository looks like before a library adds it.
 */
export async function createUpstream(sourceDir: string, bareDir: string, branch = 'main'): Promise<string> {
  const work = `${bareDir}.work`;
  mkdirSync(work, { recursive: true });
  cpSync(sourceDir, work, { recursive: true, verbatimSymlinks: true, filter: (src) => !SKIP.test(src.slice(sourceDir.length + 1)) });
  await git(work, ['init', '-q', '-b', branch]);
  await git(work, ['add', '-A']);
  await git(work, ['commit', '-q', '-m', 'Initial import'], { env: IDENTITY });
  await git(work, ['clone', '-q', '--bare', '--', work, bareDir]);
  return work;
}

/** Commits everything in a work tree as the demo identity. */
export async function commitAll(dir: string, message: string): Promise<void> {
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', message], { env: IDENTITY });
}

/**
 * An empty library repository with steward's templates and playbooks and one
 * commit, ready for `plugin add`. `playbook` (an eval's) is added under its name and
 * made the default.
 */
export async function createScratchLibrary(
  root: string,
  stewardRoot: string,
  options: { config?: Partial<LibraryConfig>; playbook?: { name: string; text: string } } = {},
): Promise<Library> {
  mkdirSync(root, { recursive: true });
  writeDefaultConfig(root, { ...options.config, ...(options.playbook ? { defaultPlaybook: options.playbook.name } : {}) });
  for (const dir of ['templates', 'playbooks']) {
    cpSync(join(stewardRoot, dir), join(root, dir), { recursive: true, verbatimSymlinks: true });
  }
  if (options.playbook) writeFileSync(join(root, 'playbooks', `${options.playbook.name}.md`), options.playbook.text);
  mkdirSync(join(root, 'plugins'), { recursive: true });
  writeFileSync(join(root, 'plugins', '.gitkeep'), '');
  // TypeScript plugins resolve their loader (tsx) from the library root, as they would in a real library.
  if (existsSync(join(stewardRoot, 'node_modules')) && !existsSync(join(root, 'node_modules'))) {
    symlinkSync(join(stewardRoot, 'node_modules'), join(root, 'node_modules'));
  }
  writeFileSync(join(root, '.gitignore'), '/.steward/\n/node_modules\n');
  const library = openLibrary({ library: root });
  ensurePlaybookLink(library);
  await git(root, ['init', '-q', '-b', 'main']);
  await commitAll(root, 'Start the library');
  return library;
}
