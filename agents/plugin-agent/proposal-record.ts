import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { StewardError } from '../../orchestrator/core/errors.ts';
import { writeFileAtomic } from '../../orchestrator/core/files.ts';
import { readJsonWith } from '../../orchestrator/core/json.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { pluginAgentState } from './state.ts';

/**
 * `runs/<run>/proposal.json`: a validated fix as the run left it for review, read by
 * `steward review` without the graph. This schema is the file's one definition.
 */
const proposalRecordSchema = pluginAgentState.shape.proposal.unwrap().extend({
  run: z.string(),
  plugin: z.string(),
  group: z.string(),
  issue: z.object({ number: z.number(), url: z.string(), created: z.boolean().optional() }).nullable(),
});

export type ProposalRecord = z.output<typeof proposalRecordSchema>;

/** Where `steward review show` finds a run's proposal without the graph. */
export function proposalFile(deps: { library: Pick<Library, 'paths'> }, run: string): string {
  return join(deps.library.paths.state, 'runs', run, 'proposal.json');
}

export function writeProposalRecord(library: Pick<Library, 'paths'>, record: ProposalRecord): void {
  const file = proposalFile({ library }, record.run);
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(proposalRecordSchema.parse(record), null, 2)}\n`);
}

export function readProposalRecord(library: Pick<Library, 'paths'>, run: string): ProposalRecord {
  const file = proposalFile({ library }, run);
  if (!existsSync(file)) throw new StewardError('E_RUN_STATE', `run ${run} has no proposal`, { hint: 'steward review list' });
  return readJsonWith(proposalRecordSchema, file);
}
