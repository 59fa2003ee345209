import { messageOf } from '../../../orchestrator/core/errors.ts';
import { join } from 'node:path';
import { candidateKey, type Candidate, type FixRequest, type Fixer } from '../types.ts';
import { createWorkingCopy } from '../../../orchestrator/sandbox/working-copy.ts';
import { silencingOfFiles } from '../../plugin-agent/silencing/index.ts';
import { applyFiles } from '../workspace.ts';
import { byRank, type Tried } from './candidates.ts';
import { generateJs } from './generate-js.ts';
import { generatePython } from './generate-python.ts';
import { revertCandidate } from './revert.ts';
import { readSource } from './sites.ts';
import { ochiai, readCoverage } from './spectrum.ts';
import { moved, onStone, PER_STONE, requestFrom, STONES, suspectsOf, writtenLines, type Stone } from './stepping-stones.ts';

const DEFAULTS = { candidates: 60, wallSeconds: 120 };

/** Enough validated candidates to choose the smallest from; more would only cost time. */
const ENOUGH = 3;
/** Candidates checked at once: two sandboxes, the cores of a small machine; fixed, so a search tries the same candidates on any machine. */
const BATCH = 2;
/** Lines of the Ochiai ranking made into sites, after the stack's. */
const SPECTRUM_LINES = 10;

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
    if (request.manifest.runtime === 'command') {
      request.emit('fixer-stopped', { fixer: this.name, why: 'the offline fixer repairs JavaScript, TypeScript and Python plugins; a command plugin is not one' });
      return [];
    }
    const budget = { candidates: request.budget.candidates ?? DEFAULTS.candidates, wallSeconds: request.budget.wallSeconds ?? DEFAULTS.wallSeconds };
    const deadline = started + budget.wallSeconds * 1000;
    const { baseline, spectrum } = await this.measure(request);
    const generated = request.manifest.runtime === 'python' ? await generatePython(request, budget.candidates, spectrum) : generateJs(request, budget.candidates, spectrum);
    const { sites } = generated;
    // The ladder's first rung: going back to before the plugin's last change, when the group is newer than it.
    const revert = await revertCandidate(request);
    request.emit('revert-considered', { fixer: this.name, why: revert.why });
    // A later round goes on where the earlier ones stopped: the same budget, never the same candidate twice.
    const skip = request.skip ?? new Set<string>();
    const candidates = [...(revert.candidate ? [revert.candidate] : []), ...usefulRefusals(generated.candidates, request.manifest.interface?.input)]
      .slice(0, budget.candidates)
      .filter((c) => !skip.has(candidateKey(c.files)));
    if (candidates.length === 0) {
      const problem =
        'problem' in generated && generated.problem
          ? generated.problem
          : skip.size > 0
            ? `every candidate of the budget was tried in an earlier round`
            : `no fix template applies at the ${sites} suspect statement(s)`;
      request.emit('fixer-stopped', { fixer: this.name, why: problem });
      return [];
    }
    const validated: Tried[] = [];
    const warned = new Set<Tried>();
    const stones: Stone[] = [];
    // Refusals do not end the search, nor do changes the silencing checks warn of: a clean fix that makes the call succeed may come later.
    const clean = (): number => validated.filter((c) => !c.refuses && !warned.has(c)).length;
    const enough = (): boolean => clean() >= ENOUGH;
    let tried = 0;
    let stop = `all ${candidates.length} candidate(s) tried`;
    const one = async (candidate: Tried, stepping: boolean): Promise<{ ok: boolean; stone?: Stone }> => {
      // One candidate that cannot be checked (a sandbox that failed to start) is one verdict, not the end of the search.
      const hidden = silencingOfFiles(candidate.files, (path) => readSource(request.dir, path, /./), request.reproduction.error);
      if (hidden.rank > 0) warned.add(candidate);
      const checked = hidden.reject
        ? `silences: ${hidden.reject}`
        : await this.check(request, candidate, baseline, stepping && !hidden.warnings.length).catch((error: unknown) => `error: ${messageOf(error)}`.slice(0, 200));
      const verdict = typeof checked === 'string' ? checked : 'moves';
      request.emit('candidate-tried', {
        fixer: this.name,
        template: candidate.template,
        file: Object.keys(candidate.files)[0],
        verdict,
        rationale: candidate.rationale,
        key: candidateKey(candidate.files),
      });
      return { ok: verdict === 'passes' || verdict === 'refuses', ...(typeof checked === 'string' ? {} : { stone: { candidate, ...checked } }) };
    };
    // Checked BATCH at a time and the stop tested between batches, so which candidates a
    // search tries depends on their verdicts (and the wall-time budget), not on which
    // check finished first. Every candidate before `next` was tried: batches run whole.
    const searched = new Set<Stone>();
    // What this search or an earlier round tried: two stones make the same pair from either side, and a pair may be a single candidate.
    const keys = new Set([...skip, ...candidates.map((c) => candidateKey(c.files))]);
    /** From a stone: the candidates generated on its code, each one change with it; stones are not stepped from again. */
    const onward = async (stone: Stone): Promise<void> => {
      searched.add(stone);
      const list = (await this.fromStone(request, stone)).filter((c) => {
        const key = candidateKey(c.files);
        if (keys.has(key)) return false;
        keys.add(key);
        return true;
      });
      request.emit('stepping-stone', {
        fixer: this.name,
        template: stone.candidate.template,
        failure: `${stone.failure.type}: ${stone.failure.message.slice(0, 160)}`,
        candidates: list.length,
      });
      await search(list, false);
    };
    const search = async (list: readonly Tried[], stepping: boolean): Promise<number> => {
      let next = 0;
      for (;;) {
        if (enough()) {
          stop = `${ENOUGH} candidates validated`;
          break;
        }
        if (Date.now() > deadline) {
          stop = `wall-time budget (${budget.wallSeconds} s) spent`;
          break;
        }
        if (request.signal.aborted) {
          stop = 'the run was stopped';
          break;
        }
        const batch = list.slice(next, next + BATCH);
        if (batch.length === 0) break;
        next += batch.length;
        const results = await Promise.all(batch.map((c) => one(c, stepping && stones.length < STONES)));
        const found: Stone[] = [];
        results.forEach(({ ok, stone }, i) => {
          if (ok) validated.push(batch[i]!);
          if (stone && stones.length < STONES) {
            stones.push(stone);
            found.push(stone);
          }
        });
        // A fix template answers the error at hand: the failure it moves on is the next defect, gone after at once.
        for (const stone of found) if (stone.candidate.rung === 'template') await onward(stone);
      }
      tried += next;
      return next;
    };
    const next = await search(candidates, true);
    // No single change passed, and an operator's change moved the failure on: a second defect on the same road, maybe.
    for (const stone of clean() === 0 ? stones.filter((s) => !searched.has(s)) : []) {
      if (enough() || Date.now() > deadline || request.signal.aborted) break;
      await onward(stone);
    }
    const seconds = (Date.now() - started) / 1000;
    if (request.signal.aborted) throw new Error('stopped: the run was stopped');
    request.emit('fixer-stopped', {
      fixer: this.name,
      why: stop,
      // Stopped with candidates and time left: if validation rejects all it found, another round may go on.
      more: enough() && next < candidates.length && Date.now() <= deadline,
      sites,
      generated: candidates.length,
      tried,
      validated: validated.length,
      seconds: Math.round(seconds * 10) / 10,
      perMinute: Math.round((tried / Math.max(seconds, 0.001)) * 60),
    });
    const error = request.reproduction.error;
    const cause = error ? ` (the reproduction threw ${error.type}: ${error.message.slice(0, 160)})` : '';
    return validated.sort(byRank).map((c) => ({
      fixer: c.fixer,
      template: c.template,
      files: c.files,
      rationale: `${c.rationale}${cause}. Found by the offline fixer's ${c.template} template; ${c.refuses ? `the reproduction now ends in that contract error` : 'the reproduction passes with it'}.`,
      ...(c.refuses ? { refuses: c.refuses } : {}),
    }));
  }

  /**
   * The original's suite result, the bar every candidate must meet, and for a Node or
   * Python plugin the Ochiai ranking of the lines the failing reproduction ran, from
   * coverage (V8's; Python's `trace`) of it and of the suite's test processes.
   */
  private async measure(request: FixRequest): Promise<{ baseline: { passed: number; failed: number }; spectrum: { file: string; line: number; score: number }[] }> {
    // Plain copies: the search never asks git what a candidate changed.
    const ws = createWorkingCopy(request.dir, { quotaMb: request.manifest.limits?.diskMb });
    try {
      const covered = request.manifest.runtime === 'node' || request.manifest.runtime === 'python';
      // In the copy, the only place the sandbox may write; this copy is only measured, never proposed.
      const coverage = { tests: join(ws.dir, '.steward-coverage', 'tests'), failing: join(ws.dir, '.steward-coverage', 'failing') };
      // The bar candidates must meet comes from a run as theirs are run: without coverage.
      const run = await request.runTests(ws);
      const baseline = { passed: run.passed, failed: run.failed };
      if (!covered) return { baseline, spectrum: [] };
      try {
        await request.runTests(ws, { coverageDir: coverage.tests });
        await request.reproduce(ws, { coverageDir: coverage.failing });
        // The issue's spectrum: the failing reproduction against the tests that passed (a test already failing says nothing of this defect).
        const sources = new Map<string, string | undefined>();
        const passing = readCoverage(coverage.tests, ws.dir, sources).filter((run) => run.passed !== false);
        const spectrum = ochiai(
          readCoverage(coverage.failing, ws.dir, sources).map((run) => run.lines),
          passing.map((run) => run.lines),
        ).slice(0, SPECTRUM_LINES);
        request.emit('spectrum', { fixer: this.name, lines: spectrum.slice(0, 5) });
        return { baseline, spectrum };
      } catch (error) {
        // Without the ranking the search still has the stack: a lesser search, not none.
        if (request.signal.aborted) throw error;
        request.emit('spectrum', { fixer: this.name, lines: [], why: `coverage could not be taken: ${messageOf(error)}` });
        return { baseline, spectrum: [] };
      }
    } finally {
      ws.dispose();
    }
  }

  /**
   * Passes: the reproduction passes and the suite has no fewer passes nor more
   * failures than before. A refusal holds the same way when the reproduction ends in
   * exactly the contract error it adds. With `stepping`, a candidate on which the call
   * fails otherwise, in the plugin's code, and the suite holds, is a stone to go on from.
   */
  private async check(
    request: FixRequest,
    candidate: Tried,
    baseline: { passed: number; failed: number },
    stepping: boolean,
  ): Promise<'passes' | 'refuses' | 'still-fails' | 'breaks-tests' | Omit<Stone, 'candidate'>> {
    const ws = createWorkingCopy(request.dir, { quotaMb: request.manifest.limits?.diskMb });
    try {
      applyFiles(ws.dir, candidate.files);
      const reproduced = await request.reproduce(ws, candidate.refuses ? { refusal: candidate.refuses } : {});
      const holds = async (): Promise<boolean> => {
        const run = await request.runTests(ws);
        return run.failed <= baseline.failed && run.passed >= baseline.passed;
      };
      if (!reproduced.passes) {
        const failure = stepping && !candidate.refuses ? reproduced.failure : undefined;
        const suspects = failure ? suspectsOf(request.plugin, failure, ws.dir) : [];
        const edited = (file: string): ReadonlySet<number> => {
          const after = candidate.files[file];
          return typeof after === 'string' ? writtenLines(readSource(request.dir, file, /./) ?? '', after) : new Set();
        };
        return failure && moved(request.reproduction.error, failure, suspects, edited) && (await holds()) ? { failure, suspects } : 'still-fails';
      }
      if (!(await holds())) return 'breaks-tests';
      return candidate.refuses ? 'refuses' : 'passes';
    } finally {
      ws.dispose();
    }
  }

  /** The candidates of a search from a stone: generated on the stone's code for its failure, each made one change with it. */
  private async fromStone(request: FixRequest, stone: Stone): Promise<Tried[]> {
    const ws = createWorkingCopy(request.dir, { quotaMb: request.manifest.limits?.diskMb });
    try {
      applyFiles(ws.dir, stone.candidate.files);
      const from = requestFrom(request, stone, ws.dir);
      const generated = request.manifest.runtime === 'python' ? await generatePython(from, PER_STONE) : generateJs(from, PER_STONE);
      return generated.candidates.filter((c) => !c.refuses).map((c) => onStone(stone, c));
    } finally {
      ws.dispose();
    }
  }
}

/**
 * The candidates with one refusal a message (the first, at the most suspicious site:
 * the same guard hoisted elsewhere would only cost a full check), and none for a
 * property the plugin's `interface.input` declares: the host let that input through,
 * so the contract allows it, and refusing it would contradict the manifest.
 */
function usefulRefusals(candidates: readonly Tried[], input: unknown): Tried[] {
  const seen = new Set<string>();
  return candidates.filter((c) => {
    if (!c.refuses) return true;
    if (seen.has(c.refuses.message) || declares(input, c.refusedPath ?? [])) return false;
    seen.add(c.refuses.message);
    return true;
  });
}

/** Whether a JSON Schema declares the property path (through `properties`). */
function declares(schema: unknown, path: readonly string[]): boolean {
  let at = schema;
  for (const name of path) {
    const properties = typeof at === 'object' && at !== null ? (at as { properties?: unknown }).properties : undefined;
    if (typeof properties !== 'object' || properties === null || !Object.hasOwn(properties, name)) return false;
    at = (properties as Record<string, unknown>)[name];
  }
  return path.length > 0;
}
