import { newRunId } from '../../orchestrator/runs/ids.ts';
import type { RecordInput } from '../../orchestrator/ingest/groups.ts';
import type { RunStore } from '../../orchestrator/runs/types.ts';

type NewRun = Parameters<RunStore['create']>[0];

/** A queued offline run of plugin "alpha", as the Manager would record it; `over` changes any field. */
export function newRun(over: Partial<NewRun> = {}): NewRun {
  const id = over.id ?? newRunId();
  return {
    id,
    plugin: 'alpha',
    group: id,
    trigger: 'new',
    state: 'queued',
    playbook: 'default',
    playbookHash: 'h',
    fixer: 'offline',
    model: null,
    stopAfter: 'propose',
    ...over,
  };
}

/** Group events of one fingerprint, as the ingest consumer records them. */
export function groupEvent(fingerprint: string, at: number, over: Partial<RecordInput> = {}): RecordInput {
  return {
    eventId: `${fingerprint}-${at}`,
    fingerprint,
    plugin: 'alpha',
    type: 'TypeError',
    message: 'm',
    version: '1.0.0',
    level: 'error',
    sample: '{}',
    at,
    sampleSize: 3,
    threshold: { events: 10, windowSeconds: 60 },
    dedupeSeconds: 60,
    ...over,
  };
}
