/** The Manager Agent: what the rest of steward uses of it. */
export { fanOut } from './graph.ts';
export { triageOnce } from './triage.ts';
export { openManager } from './open.ts';

export type { ManagerState } from './state.ts';

export { ensureTriageSchedule } from './schedule.ts';
export { startTriageConsumer } from './triage-consumer.ts';
export { readFleetSummary } from './summary.ts';
