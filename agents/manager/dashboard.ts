import type { RunRecord } from '../../orchestrator/runs/types.ts';
import type { IssueSummary, TrackedProposal } from '../trackers/types.ts';
import type { ManagerState } from './state.ts';

/** Marks a body as steward's dashboard, so a tracker finds its one issue again. */
export const DASHBOARD_MARKER = '<!-- steward:dashboard -->';

type DashboardAction = 'approve' | 'retry' | 'force';

export interface DashboardInput {
  at: string;
  trigger: string;
  /** Runs awaiting approval, with the interrupt each waits on: a tick approves that question only. */
  awaiting: (RunRecord & { interrupt?: string | undefined })[];
  failed: RunRecord[];
  held: ManagerState['held'];
  unhealthy: { name: string; health: string; reason?: string | undefined }[];
  /** Open fix proposals, and open issues a run left to a person (`needs-human`). */
  proposals: TrackedProposal[];
  needsHuman: IssueSummary[];
  /** Boxes ticked but not acted on yet: they stay ticked. */
  ticked?: Set<string>;
}

const BOX = /^\s*[-*]\s*\[([ xX])\]\s*<!--\s*(approve|retry|force):([A-Za-z0-9_.-]+)(?:@([A-Za-z0-9_-]+))?\s*-->/;

export interface DashboardRequest {
  action: DashboardAction;
  /** The run an approve or retry box names; a force box names a group. */
  run: string;
  /** For approve: the interrupt the maintainer saw. */
  interrupt?: string;
}

/** The ticked boxes of a dashboard body, as Renovate's Dependency Dashboard reads its own. */
export function parseDashboard(body: string): DashboardRequest[] {
  const found: DashboardRequest[] = [];
  const seen = new Set<string>();
  for (const line of body.split('\n')) {
    const match = BOX.exec(line);
    if (!match || match[1] === ' ') continue;
    const key = `${match[2]}:${match[3]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    found.push({ action: match[2] as DashboardAction, run: match[3] as string, ...(match[4] ? { interrupt: match[4] } : {}) });
  }
  return found;
}

function box(action: DashboardAction, target: { id: string; interrupt?: string | undefined }, ticked: Set<string> | undefined, text: string): string {
  const marker = `${action}:${target.id}${action === 'approve' && target.interrupt ? `@${target.interrupt}` : ''}`;
  return `- [${ticked?.has(`${action}:${target.id}`) ? 'x' : ' '}] <!-- ${marker} --> ${text}`;
}

/** A tracker record as a link where it has a web address (GitHub), else its number and address. */
const linked = (record: { number: number; url: string; title: string }): string =>
  /^https?:/.test(record.url) ? `[#${record.number}](${record.url}) ${oneLine(record.title)}` : `#${record.number} ${oneLine(record.title)} (\`${record.url}\`)`;

/** A rate limit a force box lets a group past; one run per plugin is not one of them. */
const forceable = (reason: string): boolean => !reason.startsWith('one active run per plugin');

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim().slice(0, 200);

/** The dashboard body: six sections, checkboxes where a person can act. */
export function renderDashboard(input: DashboardInput): string {
  const lines = [
    '# Plugin Steward: maintenance dashboard',
    '',
    DASHBOARD_MARKER,
    `Updated ${input.at} by a triage pass (${input.trigger}). Tick a box; the next triage pass acts on it.`,
    '',
    '## Awaiting approval',
    '',
  ];
  if (input.awaiting.length === 0) lines.push('Nothing waits for a review.');
  for (const run of input.awaiting)
    lines.push(box('approve', run, input.ticked, `approve **${run.plugin}** \`${run.id}\` (group \`${run.group.slice(0, 12)}\`): ${oneLine(run.nextAction ?? '')}`));
  lines.push('', '## Open proposals', '');
  if (input.proposals.length === 0) lines.push('No proposal is open.');
  for (const proposal of input.proposals)
    lines.push(`- **${proposal.plugin}** ${linked(proposal)} (branch \`${proposal.branch}\`${proposal.issue ? `, fixes #${proposal.issue}` : ''})`);
  lines.push('', '## Needs a person', '');
  if (input.needsHuman.length === 0) lines.push('No open issue waits for a person.');
  for (const issue of input.needsHuman) lines.push(`- **${issue.plugin}** ${linked(issue)}`);
  lines.push('', '## Rate-limited', '');
  const limited = input.held.filter((h) => !h.reason.startsWith('plugin is '));
  if (limited.length === 0) lines.push('No group was held back by a limit.');
  for (const item of limited) {
    const text = `**${item.plugin}** group \`${item.group.slice(0, 12)}\`: ${oneLine(item.reason)}`;
    lines.push(forceable(item.reason) ? box('force', { id: item.group }, input.ticked, `force a run now: ${text}`) : `- ${text}`);
  }
  lines.push('', '## Failed runs', '');
  if (input.failed.length === 0) lines.push('No run failed.');
  for (const run of input.failed) lines.push(box('retry', run, input.ticked, `retry **${run.plugin}** \`${run.id}\`: ${oneLine(run.error ?? 'failed')}`));
  lines.push('', '## Unhealthy plugins', '');
  if (input.unhealthy.length === 0) lines.push('Every plugin is healthy or degraded.');
  for (const plugin of input.unhealthy) lines.push(`- **${plugin.name}**: ${plugin.health}${plugin.reason ? `: ${oneLine(plugin.reason)}` : ''}`);
  return `${lines.join('\n')}\n`;
}
