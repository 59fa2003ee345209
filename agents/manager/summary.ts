import { join } from 'node:path';
import { z } from 'zod';
import { StewardError } from '../../orchestrator/core/errors.ts';
import { writeJsonAtomic } from '../../orchestrator/core/files.ts';
import { readJsonWith } from '../../orchestrator/core/json.ts';
import type { Library } from '../../orchestrator/library/library.ts';
import { existsSync } from 'node:fs';
import { dispatched, held } from './state.ts';

/**
 * `status.json` in the state dir: the fleet summary of the last triage pass, written by
 * its report node and read by `steward status`. This schema is the file's one definition.
 */
const fleetSummarySchema = z.object({
  at: z.string(),
  trigger: z.string(),
  plugins: z.number(),
  health: z.record(z.string(), z.number()),
  unhealthy: z.array(z.object({ name: z.string(), health: z.string(), reason: z.string().nullable() })),
  openGroups: z.number(),
  activeRuns: z.number(),
  dispatched: z.array(dispatched),
  held: z.array(held),
  requests: z.array(z.object({ action: z.string(), run: z.string(), outcome: z.string() })),
});

export type FleetSummary = z.output<typeof fleetSummarySchema>;

function summaryFile(library: Pick<Library, 'paths'>): string {
  return join(library.paths.state, 'status.json');
}

export function writeFleetSummary(library: Pick<Library, 'paths'>, summary: FleetSummary): void {
  writeJsonAtomic(summaryFile(library), fleetSummarySchema.parse(summary));
}

export function readFleetSummary(library: Pick<Library, 'paths'>): FleetSummary {
  const file = summaryFile(library);
  if (!existsSync(file)) throw new StewardError('E_USAGE', 'no triage has run yet', { hint: 'steward triage --once' });
  return readJsonWith(fleetSummarySchema, file);
}
