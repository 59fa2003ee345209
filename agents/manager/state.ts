import { registry } from '@langchain/langgraph/zod';
import { z } from 'zod';

const health = z.enum(['healthy', 'degraded', 'failing', 'unavailable', 'failed']);
const stopAfter = z.enum(['issue', 'reproduce', 'propose']);

const fleetPlugin = z.object({
  name: z.string(),
  criticality: z.enum(['low', 'normal', 'high', 'critical']),
  stopAfter,
  health,
  reason: z.string().optional(),
});

const openGroup = z.object({
  id: z.string(),
  plugin: z.string(),
  status: z.string(),
  count: z.number(),
  level: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  type: z.string(),
  message: z.string(),
});

const decision = z.object({
  group: z.string(),
  plugin: z.string(),
  score: z.number(),
  stopAfter,
  trigger: z.string(),
  /** Why the run is to open the group's issue and attempt no fix: its plugin is unavailable here. */
  issueOnly: z.string().optional(),
});
/** One run dispatched: what report, status and the dashboard show of it. */
export const dispatched = z.object({ run: z.string(), group: z.string(), plugin: z.string(), issueOnly: z.string().optional() });
type Dispatched = z.output<typeof dispatched>;
export const held = z.object({ group: z.string(), plugin: z.string(), reason: z.string() });

/** The Manager Agent's state: what one triage pass knows and decides. */
export const managerState = z.object({
  now: z.string(),
  trigger: z.enum(['schedule', 'ingest', 'manual']).default('manual'),
  plugins: z.array(fleetPlugin).default(() => []),
  groups: z.array(openGroup).default(() => []),
  activeRuns: z.array(z.object({ id: z.string(), plugin: z.string(), group: z.string(), state: z.string(), stopAfter })).default(() => []),
  ranked: z.array(decision).default(() => []),
  chosen: z.array(decision).default(() => []),
  held: z.array(held).default(() => []),
  /** Filled by the dispatch fan-out: one entry per run started. */
  dispatched: z.array(dispatched).register(registry, {
    reducer: { fn: (a: Dispatched[], b: Dispatched[]) => a.concat(b) },
    default: () => [],
  }),
  /** Dashboard boxes acted on in this pass, and what came of each. */
  /** `run`: the run an approve or retry box names; a force box names a group. */
  requests: z.array(z.object({ action: z.enum(['approve', 'retry', 'force']), run: z.string(), outcome: z.string() })).default(() => []),
  /** Groups a maintainer forced on the dashboard: this pass lets them past the proposal and token limits. */
  forced: z.array(z.string()).default(() => []),
  summary: z.record(z.string(), z.unknown()).default(() => ({})),
});

export type ManagerState = z.output<typeof managerState>;
export type Decision = z.output<typeof decision>;
