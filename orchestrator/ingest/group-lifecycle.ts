/**
 * An error group's lifecycle: its statuses and every allowed move between them, in
 * one place. The ingest's record script makes a group `new`, and `regressed` when an
 * event comes from the version a `resolved` group was fixed in or a later one; every
 * other move goes through `GroupStore.transition`, which refuses what this table does
 * not list.
 */
export const GROUP_STATUSES = ['new', 'triaged', 'in-progress', 'fix-proposed', 'resolved', 'regressed', 'ignored'] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

/** Where each status may go, and what moves it there. */
export const TRANSITIONS: Readonly<Record<GroupStatus, readonly GroupStatus[]>> = {
  // Triage held it back (limits), or gave it a run; a run started another way (a replay, a
  // retry from the dashboard) may validate a fix at once; a person may ignore or resolve it.
  new: ['triaged', 'in-progress', 'fix-proposed', 'ignored', 'resolved'],
  triaged: ['in-progress', 'fix-proposed', 'ignored', 'resolved'],
  regressed: ['triaged', 'in-progress', 'fix-proposed', 'ignored', 'resolved'],
  // A run validated a fix; or ended without one (escalated, no fix) and the group waits again.
  'in-progress': ['fix-proposed', 'triaged', 'resolved', 'ignored'],
  // Its fix was merged; or rejected, and the group waits again.
  'fix-proposed': ['resolved', 'triaged', 'in-progress'],
  // Only the record script reopens a resolved group (`regressed`); a person may ignore it.
  resolved: ['ignored'],
  ignored: ['triaged'],
};

/** The statuses a group may be in to move to `to`. */
export function allowedFrom(to: GroupStatus): GroupStatus[] {
  return GROUP_STATUSES.filter((from) => TRANSITIONS[from].includes(to));
}

export function isGroupStatus(value: string): value is GroupStatus {
  return (GROUP_STATUSES as readonly string[]).includes(value);
}
