import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { git } from '../../orchestrator/library/git/run.ts';

/** A `git fast-import` session that can ask for a commit's id as soon as it is written. */
class FastImport {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private waiting: (() => void) | undefined;

  constructor(cwd: string) {
    this.child = spawn('git', ['fast-import', '--quiet', '--done'], { cwd });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      this.waiting?.();
    });
    this.child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  }

  write(text: string): void {
    this.child.stdin.write(text);
  }

  async id(mark: number): Promise<string> {
    this.write(`get-mark :${mark}\n`);
    while (!this.buffer.includes('\n')) await new Promise<void>((resolve) => (this.waiting = resolve));
    const newline = this.buffer.indexOf('\n');
    const line = this.buffer.slice(0, newline);
    this.buffer = this.buffer.slice(newline + 1);
    return line.trim();
  }

  end(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`fast-import exited ${code}`))));
      this.child.stdin.end('done\n');
    });
  }
}

/**
 * Writes a library of `plugins` plugins and `commits` commits through one
 * `git fast-import`: per plugin an upstream root commit and the merge that
 * `git subtree add` makes (same message and trailers), then edits spread over the plugins.
 */
export async function generateLibrary(root: string, plugins: number, commits: number, onProgress?: (done: number, total: number) => void): Promise<{ names: string[] }> {
  mkdirSync(root, { recursive: true });
  await git(root, ['init', '-q', '-b', 'main']);
  const names = Array.from({ length: plugins }, (_, i) => `plugin-${String(i).padStart(4, '0')}`);
  const stream = new FastImport(root);
  let time = 1_700_000_000;
  let mark = 0;
  const data = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const file = (path: string, text: string, mode = '100644'): string => `M ${mode} inline ${path}\n${data(text)}`;
  const commit = (ref: string, message: string, body: string, from?: number, merge?: number): number => {
    mark++;
    time += 60;
    stream.write(
      `commit ${ref}\nmark :${mark}\nauthor Bench <bench@localhost> ${time} +0000\ncommitter Bench <bench@localhost> ${time} +0000\n${data(message)}` +
        (from ? `from :${from}\n` : '') +
        (merge ? `merge :${merge}\n` : '') +
        body +
        '\n',
    );
    return mark;
  };
  const pluginFiles = (name: string, prefix: string): string =>
    file(
      `${prefix}plugin.json`,
      `${JSON.stringify(
        {
          name,
          version: '1.0.0',
          description: `Bench plugin ${name}.`,
          runtime: 'node',
          entry: 'src/index.js',
          test: { command: ['node', '--test', 'test/'], format: 'tap' },
          interface: { input: { type: 'object', properties: { text: { type: 'string' } } }, output: { type: 'object' } },
          upstream: { url: `/nonexistent/${name}.git`, branch: 'main' },
        },
        null,
        2,
      )}\n`,
    ) +
    file(`${prefix}AGENT.md`, `# ${name}\n\nA generated plugin.\n`) +
    file(`${prefix}src/index.js`, `export default { name: '${name}', execute: (input) => input };\n`) +
    file(`${prefix}test/index.test.js`, "import { test } from 'node:test';\ntest('ok', () => {});\n") +
    file(`${prefix}.steward/history.jsonl`, '') +
    file(`${prefix}.steward/PLAYBOOK.md`, '../../../templates/linked/PLAYBOOK.md', '120000');

  let main = commit(
    'refs/heads/main',
    'Start the library\n',
    file('steward.config.json', '{}\n') +
      file('playbooks/default.md', '# Default playbook\n') +
      file('templates/linked/PLAYBOOK.md', '../../playbooks/default.md', '120000') +
      file('.gitignore', '/.steward/\n'),
  );
  let made = 1;
  for (const name of names) {
    const upstream = commit(`refs/upstream/${name}`, 'Initial import\n', pluginFiles(name, ''));
    const [mainId, upstreamId] = [await stream.id(main), await stream.id(upstream)];
    main = commit(
      'refs/heads/main',
      `Add 'plugins/${name}/' from commit '${upstreamId}'\n\ngit-subtree-dir: plugins/${name}\ngit-subtree-mainline: ${mainId}\ngit-subtree-split: ${upstreamId}\n`,
      pluginFiles(name, `plugins/${name}/`),
      main,
      upstream,
    );
    made += 2;
    if (made % 50 === 0) onProgress?.(made, commits);
  }
  let n = 0;
  while (made < commits) {
    const name = names[(n * 7919) % names.length] ?? '';
    main = commit('refs/heads/main', `Edit ${name} (${n})\n`, file(`plugins/${name}/src/notes-${n % 5}.md`, `edit ${n}\n`), main);
    made++;
    n++;
    if (made % 100 === 0) onProgress?.(made, commits);
  }
  await stream.end();
  await git(root, ['reset', '-q', '--hard', 'main']);
  onProgress?.(commits, commits);
  return { names };
}
