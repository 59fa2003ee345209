/**
 * What the console is given rather than imports: it is infrastructure, and the
 * proposal format and the eval reports belong to the agents and the eval harness
 * (`orchestrator/cli/console.ts` wires them in).
 */

/** A proposal as the console shows it: the fields of `proposal.json` it reads, and the evidence as lines. */
export interface ProposalView {
  run: string;
  plugin: string;
  issue: { number: number; url: string } | null;
  fixer: string;
  rationale: string;
  diff: string;
  stats: { added: number; removed: number };
  evidence: { before: string; after: string; suite: { passed: number; failed: number; baselinePassed: number }; warnings: readonly string[] };
  /** The behaviour diff and warnings as a reviewer reads them (`behaviourLines`). */
  evidenceLines: readonly string[];
  validated: number;
  tried: number;
  refuses?: { type: string; message: string } | undefined;
  others: readonly { fixer: string; rationale: string; diff: string; outputsChanged: number }[];
}

export interface Proposals {
  /** Whether the run left a proposal for review. */
  has(run: string): boolean;
  read(run: string): ProposalView;
}

/** One eval out directory with its report. */
export interface EvalReport {
  /** The out directory's name: how the report's link names it. */
  name: string;
  dir: string;
  suite: string;
  fixer: string;
  finishedAt: string;
  success: string;
  precision: string;
}
