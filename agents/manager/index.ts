/** The Manager Agent: what the rest of steward uses of it. */
export { buildManagerGraph, fanOut } from './graph.ts';
export { triageOnce } from './triage.ts';
export { openManager } from './open.ts';
export type { ManagerDeps } from './deps.ts';
export type { ManagerState } from './state.ts';
export { DASHBOARD_MARKER, parseDashboard, renderDashboard } from './dashboard.ts';
export { ensureTriageSchedule, PRUNE_SCHEDULER_ID, SCHEDULER_ID } from './schedule.ts';
export { startTriageConsumer, type TriageOutcome, type TriageQueueJob } from './triage-consumer.ts';
export { readFleetSummary, type FleetSummary } from './summary.ts';
