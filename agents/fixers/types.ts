import { createHash } from 'node:crypto';
import type { Manifest } from '../../orchestrator/library/manifest.ts';
import type { WorkingCopy } from '../../orchestrator/sandbox/working-copy.ts';
import type { PluginAgentState } from '../plugin-agent/index.ts';

/** What a fixer gets: the plugin, what the agent learned, a budget, and a way to try things. */
export interface FixRequest {
  plugin: string;
  /** The plugin's directory in the library: read it, never write it. */
  dir: string;
  manifest: Manifest;
  context: NonNullable<PluginAgentState['context']>;
  reproduction: NonNullable<PluginAgentState['reproduction']>;
  suspects: NonNullable<PluginAgentState['suspects']>;
  /** The playbook's text: the procedure a model is asked to follow. */
  playbook: string;
  /** The plugin repository's own playbook text, if it overrides the library's: fenced as data. */
  playbookNotes?: string;
  budget: { iterations?: number | undefined; tokens?: number | undefined; wallSeconds?: number | undefined; candidates?: number | undefined };
  /**
   * Candidates (by `candidateKey`) an earlier round of this run already tried: validation
   * rejected every one that passed, so the search goes on with the rest of its budget.
   */
  skip?: ReadonlySet<string>;
  signal: AbortSignal;
  emit(kind: string, data: unknown): void;
  spendTokens(tokens: number): void;
  /**
   * Runs the reproduction against a working copy: whether it passes (no throw, output
   * per the contract; with `refusal`, it ends in exactly that contract error). With
   * `coverageDir` (inside the copy), the runtime writes its line coverage there (V8's
   * for Node, the `trace` module's for Python).
   */
  reproduce(copy: WorkingCopy, options?: { coverageDir?: string; refusal?: ContractError }): Promise<{ passes: boolean; detail: string; failure?: Failure }>;
  /** Runs the plugin's suite against a working copy; `coverageDir` as for `reproduce`. */
  runTests(copy: WorkingCopy, options?: { coverageDir?: string }): Promise<{ status: string; passed: number; failed: number; detail: string }>;
}

/** How the reproduction's own call failed in a copy, stack included (as the runtime printed it), where it did. */
export interface Failure {
  type: string;
  message: string;
  stack?: string | undefined;
}

/** An error by type and exact message. */
export interface ContractError {
  type: string;
  message: string;
}

/** One proposed change: whole new file texts by normalised path (relative to the plugin root), null for a deleted file. */
export interface Candidate {
  fixer: string;
  files: Record<string, string | null>;
  rationale: string;
  /**
   * Set for a change that does not make the call succeed but refuses it with a clear
   * error of the plugin's contract (a guard that throws `TypeError: input.options is
   * required` where the code crashed reading it): it holds when the reproduction
   * fails with exactly this error, and it ranks after every change that makes the
   * call succeed.
   */
  refuses?: ContractError;
  /** Which of the fixer's operators or templates made it (the offline fixer's family names): evals report each one's yield. */
  template?: string;
}

/** A candidate's identity across search rounds: a digest of the files it writes. */
export function candidateKey(files: Candidate['files']): string {
  const sorted = Object.keys(files)
    .sort()
    .map((path) => [path, files[path]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 24);
}

export interface Fixer {
  readonly name: string;
  /** Candidate patches, best first; none when the fixer found nothing (or is not built). */
  propose(request: FixRequest): Promise<Candidate[]>;
}

/** A change that makes the call succeed before one that refuses it (`Candidate.refuses`), whatever their sizes. */
export const refusalsLast = (a: { refuses?: unknown }, b: { refuses?: unknown }): number => Number(a.refuses !== undefined) - Number(b.refuses !== undefined);
