import { availableParallelism } from 'node:os';
import type { Candidate, FixRequest, Fixer } from '../types.ts';
import { Workspace } from '../workspace.ts';
import { suspectSites } from './localise.ts';
import { applyEdits, compiles } from './source.ts';
import { MUTATIONS, TEMPLATES } from './templates/index.ts';

const DEFAULTS = { candidates: 60, wallSeconds: 120 };
/** Enough validated candidates to choose the smallest from; more would only cost time. */
const ENOUGH = 3;

interface Tried extends Candidate {
  template: string;
  /** Lines changed, then the template's preference, then characters changed: how candidates rank. */
  rank: [number, number, number];
}

/** The lines an edit touches in the original text. */
function linesTouched(text: string, edits: readonly { start: number; end: number }[]): number {
  return edits.reduce((n, e) => n + (text.slice(e.start, e.end).match(/\n/g)?.length ?? 0) + 1, 0);
}

const byRank = (a: Tried, b: Tried): number => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.rank[2] - b.rank[2];

/** How many of the most suspicious sites the mutation rung visits. */
const MUTATION_SITES = 8;
/** Candidates one site may contribute per rung: one busy statement must not use up the budget. */
const PER_SITE = 12;

/** Round-robin over the lists: the first of each, then the second of each, and so on. */
function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  for (let i = 0; lists.some((list) => i < list.length); i++) for (const list of lists) if (i < list.length) out.push(list[i]!);
  return out;
}

/**
 * Candidate patches, deduplicated, in the order they are tried: SapFix's ladder, the
 * fix templates at every suspect statement first, then mutations at the most
 * suspicious ones.
 */
function generate(request: FixRequest, limit: number): { sites: number; candidates: Tried[] } {
  const sites = suspectSites(request);
  const seen = new Set<string>();
  const compilesAlready = new Map<string, boolean>();
  const atSite = (site: (typeof sites)[number], templates: typeof TEMPLATES): Tried[] => {
    const original = site.sf.getFullText();
    // A file Node could not load before is not held to it after (top-level await, say).
    if (!compilesAlready.has(site.file)) compilesAlready.set(site.file, compiles(site.file, original));
    const out: Tried[] = [];
    for (const template of templates) {
      for (const fix of template.propose(site)) {
        if (out.length >= PER_SITE) return out;
        let changed: string;
        try {
          changed = applyEdits(original, fix.edits);
        } catch {
          continue;
        }
        const key = `${site.file}\0${changed}`;
        if (changed === original || seen.has(key)) continue;
        seen.add(key);
        if (compilesAlready.get(site.file) && !compiles(site.file, changed)) continue;
        const chars = fix.edits.reduce((n, e) => n + (e.end - e.start) + e.text.length, 0);
        out.push({ fixer: 'offline', template: fix.template, files: { [site.file]: changed }, rationale: fix.rationale, rank: [linesTouched(original, fix.edits), fix.preference ?? 1, chars] });
      }
    }
    return out;
  };
  const candidates = [
    ...interleave(sites.map((site) => atSite(site, TEMPLATES))),
    ...interleave(sites.slice(0, MUTATION_SITES).map((site) => atSite(site, MUTATIONS))),
  ].slice(0, limit);
  return { sites: sites.length, candidates };
}

/**
 * Search-based repair without a model, after SapFix and Getafix: fix templates at the
 * statements the stack points to (and the functions they call), each candidate tried
 * in its own working copy, as many at once as the machine has cores, until a few pass
 * the reproduction without breaking a test that passed, or the budget of candidates
 * or wall time is spent. What it returns, `validate` checks again in full.
 */
export class OfflineFixer implements Fixer {
  readonly name = 'offline';

  async propose(request: FixRequest): Promise<Candidate[]> {
    const started = Date.now();
    if (request.manifest.runtime !== 'node') {
      request.emit('fixer-stopped', { fixer: this.name, why: `the offline fixer repairs JavaScript and TypeScript plugins; a ${request.manifest.runtime} plugin is not one yet` });
      return [];
    }
    const budget = { candidates: request.budget.candidates ?? DEFAULTS.candidates, wallSeconds: request.budget.wallSeconds ?? DEFAULTS.wallSeconds };
    const deadline = started + budget.wallSeconds * 1000;
    const { sites, candidates } = generate(request, budget.candidates);
    if (candidates.length === 0) {
      request.emit('fixer-stopped', { fixer: this.name, why: `no fix template applies at the ${sites} suspect statement(s)` });
      return [];
    }
    const baseline = await this.suite(request, {});
    const validated: Tried[] = [];
    let next = 0;
    let tried = 0;
    let stop = `all ${candidates.length} candidate(s) tried`;
    const worker = async (): Promise<void> => {
      for (;;) {
        if (validated.length >= ENOUGH) return void (stop = `${ENOUGH} candidates validated`);
        if (Date.now() > deadline) return void (stop = `wall-time budget (${budget.wallSeconds} s) spent`);
        if (request.signal.aborted) return void (stop = 'the run was stopped');
        const candidate = candidates[next++];
        if (!candidate) return;
        tried++;
        // One candidate that cannot be checked (a sandbox that failed to start) is one verdict, not the end of the search.
        const verdict = await this.check(request, candidate, baseline).catch((error: unknown) => `error: ${(error as Error).message}`.slice(0, 200));
        request.emit('candidate-tried', { fixer: this.name, template: candidate.template, file: Object.keys(candidate.files)[0], verdict });
        if (verdict === 'passes') validated.push(candidate);
      }
    };
    const width = Math.max(1, availableParallelism());
    await Promise.all(Array.from({ length: width }, worker));
    const seconds = (Date.now() - started) / 1000;
    if (request.signal.aborted) throw new Error('stopped: the run was stopped');
    request.emit('fixer-stopped', { fixer: this.name, why: stop, sites, generated: candidates.length, tried, validated: validated.length, seconds: Math.round(seconds * 10) / 10, perMinute: Math.round((tried / Math.max(seconds, 0.001)) * 60) });
    const error = request.reproduction.error;
    const cause = error ? ` (the reproduction threw ${error.type}: ${error.message.slice(0, 160)})` : '';
    return validated
      .sort(byRank)
      .map((c) => ({ fixer: c.fixer, files: c.files, rationale: `${c.rationale}${cause}. Found by the offline fixer's ${c.template} template; the reproduction passes with it.` }));
  }

  private async suite(request: FixRequest, files: Record<string, string | null>): Promise<{ passed: number; failed: number }> {
    const ws = new Workspace(request.dir);
    try {
      ws.apply(files);
      const run = await request.runTests(ws.copy);
      return { passed: run.passed, failed: run.failed };
    } finally {
      ws.dispose();
    }
  }

  /** Passes: the reproduction passes and the suite has no fewer passes nor more failures than before. */
  private async check(request: FixRequest, candidate: Tried, baseline: { passed: number; failed: number }): Promise<'passes' | 'still-fails' | 'breaks-tests'> {
    const ws = new Workspace(request.dir);
    try {
      ws.apply(candidate.files);
      if (!(await request.reproduce(ws.copy)).passes) return 'still-fails';
      const run = await request.runTests(ws.copy);
      return run.failed <= baseline.failed && run.passed >= baseline.passed ? 'passes' : 'breaks-tests';
    } finally {
      ws.dispose();
    }
  }
}
