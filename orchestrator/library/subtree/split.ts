import { CatFile } from '../git/batch.ts';
import { git } from '../git/run.ts';
import { findJoins } from './joins.ts';

/**
 * What a split remembers between runs: each library commit already walked and the
 * subtree commit it became ('' where the prefix did not exist), and the heads walked
 * from, so that the next split walks only the commits made since.
 */
export interface SplitMemo {
  prefix: string;
  map: Record<string, string>;
  tips: string[];
}

export interface SplitResult {
  /** The subtree commit for `head`. */
  split: string;
  /** Library commits walked in this run (the cost of the split). */
  walked: number;
  /** Subtree commits written in this run. */
  created: number;
}

export function emptySplitMemo(prefix: string): SplitMemo {
  return { prefix, map: {}, tips: [] };
}

/**
 * `git subtree split --prefix` with a memory: the same algorithm as git-subtree
 * (so the same commit ids), fed from a memo instead of a fresh walk of the whole
 * history, and answering object lookups from one cat-file process.
 */
export class Splitter {
  private readonly cat: CatFile;
  private readonly map: Map<string, string>;
  private readonly trees = new Map<string, string>();
  private walked = 0;
  private created = 0;

  constructor(
    private readonly cwd: string,
    private readonly memo: SplitMemo,
    private readonly onProgress?: (done: number, total: number) => void,
  ) {
    this.cat = new CatFile(cwd);
    this.map = new Map(Object.entries(memo.map));
  }

  async split(head = 'HEAD'): Promise<SplitResult> {
    try {
      const headSha = (await git(this.cwd, ['rev-parse', '--verify', '--end-of-options', `${head}^{commit}`])).trim();
      if (!this.map.has(headSha)) await this.walk(headSha);
      const split = this.map.get(headSha);
      if (!split) throw new Error(`"${this.memo.prefix}" does not exist at ${head}`);
      this.memo.map = Object.fromEntries(this.map);
      this.memo.tips = [headSha];
      return { split, walked: this.walked, created: this.created };
    } finally {
      this.cat.close();
    }
  }

  private async walk(headSha: string): Promise<void> {
    const known = this.memo.tips.filter((tip) => this.map.has(tip));
    const excludes: string[] = [];
    // Joins since the last walk seed the map exactly as git-subtree's find_existing_splits does.
    for (const join of await findJoins(this.cwd, [headSha, ...known.map((t) => `^${t}`)], this.memo.prefix)) {
      if (join.mainline && join.split) {
        this.setOnce(join.mainline, join.split);
        this.setOnce(join.split, join.split);
        excludes.push(`^${join.mainline}^`, `^${join.split}^`);
      } else if (join.split) {
        this.setOnce(join.commit, join.split);
      }
    }
    const revs = [headSha, ...known.map((t) => `^${t}`), ...(await this.existing(excludes))];
    const listing = await git(this.cwd, ['rev-list', '--topo-order', '--reverse', '--parents', '--stdin'], {
      input: `${revs.join('\n')}\n`,
    });
    const lines = listing.split('\n').filter(Boolean);
    let done = 0;
    for (const line of lines) {
      const [rev, ...parents] = line.split(' ');
      if (rev) await this.process(rev, parents);
      this.onProgress?.(++done, lines.length);
    }
  }

  /** Exclusions of the form `^X^` name X's parent, which a root commit lacks. */
  private async existing(excludes: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const spec of excludes) if (await this.cat.oid(spec.slice(1))) out.push(spec);
    return out;
  }

  private setOnce(commit: string, split: string): void {
    if (!this.map.has(commit)) this.map.set(commit, split);
  }

  private async process(rev: string, parents: readonly string[]): Promise<void> {
    if (this.map.has(rev)) return;
    this.walked++;
    for (const parent of parents) {
      if (!this.map.has(parent)) {
        const grand = (await git(this.cwd, ['rev-parse', `${parent}^@`])).split('\n').filter(Boolean);
        await this.process(parent, grand);
      }
    }
    const newParents = parents.map((p) => this.map.get(p)).filter((p): p is string => Boolean(p));
    const sub = await this.cat.oid(`${rev}:${this.memo.prefix}`);
    if (!sub || sub.type !== 'tree') {
      // Not a mainline commit carrying the prefix; when its parents map, it is subtree history itself.
      this.map.set(rev, newParents.length > 0 ? rev : '');
      return;
    }
    this.map.set(rev, await this.copyOrSkip(rev, sub.oid, newParents));
  }

  private async treeOf(commit: string): Promise<string | undefined> {
    const cached = this.trees.get(commit);
    if (cached) return cached;
    const tree = (await this.cat.oid(`${commit}^{tree}`))?.oid;
    if (tree) this.trees.set(commit, tree);
    return tree;
  }

  private async copyOrSkip(rev: string, tree: string, newParents: readonly string[]): Promise<string> {
    let identical: string | undefined;
    let nonIdentical: string | undefined;
    let copy = false;
    const kept: string[] = [];
    for (const parent of newParents) {
      const parentTree = await this.treeOf(parent);
      if (!parentTree) continue;
      if (parentTree === tree) {
        if (identical) {
          const base = (await git(this.cwd, ['merge-base', '--end-of-options', identical, parent])).trim();
          if (identical === base) identical = parent;
          else if (parent !== base) copy = true;
        } else {
          identical = parent;
        }
      } else {
        nonIdentical = parent;
      }
      if (!kept.includes(parent)) kept.push(parent);
    }
    if (identical && nonIdentical) {
      const extras = Number((await git(this.cwd, ['rev-list', '--count', '--end-of-options', `${identical}..${nonIdentical}`])).trim());
      if (extras !== 0) copy = true;
    }
    if (identical && !copy) return identical;
    return this.copyCommit(rev, tree, kept);
  }

  /** Writes the commit git-subtree's copy_commit would: same author, committer and message. */
  private async copyCommit(rev: string, tree: string, parents: readonly string[]): Promise<string> {
    const object = await this.cat.get(rev);
    if (!object) throw new Error(`commit ${rev} is missing`);
    const raw = object.body.toString('utf8');
    const split = raw.indexOf('\n\n');
    const headers = raw.slice(0, split === -1 ? raw.length : split).split('\n');
    const message = split === -1 ? '' : raw.slice(split + 2);
    const author = headers.find((h) => h.startsWith('author '));
    const committer = headers.find((h) => h.startsWith('committer '));
    if (!author || !committer) throw new Error(`commit ${rev} has no author or committer`);
    const body = [`tree ${tree}`, ...parents.map((p) => `parent ${p}`), author, committer, '', message].join('\n');
    const oid = (await git(this.cwd, ['hash-object', '-t', 'commit', '-w', '--stdin'], { input: body })).trim();
    this.trees.set(oid, tree);
    this.created++;
    return oid;
  }
}
