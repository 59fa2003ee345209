import type { RunRecord } from '../../orchestrator/runs/types.ts';
import type { ManagerState } from './state.ts';

/** Marks a body as steward's dashboard, so a tracker finds its one issue again. */
export const DASHBOARD_MARKER = '<!-- steward:dashboard -->';

type DashboardAction = 'approve' | 'retry';

export interface DashboardInput {
  at: string;
  trigger: string;
  /** Runs awaiting approval, with the interrupt each waits on: a tick approves that question only. */
  awaiting: (RunRecord & { interrupt?: string | undefined })[];
  failed: RunRecord[];
  held: ManagerState['held'];
  unhealthy: { name: string; health: string; reason?: string | undefined }[];
  /** Boxes ticked but not acted on yet: they stay ticked. */
  ticked?: Set<string>;
}

const BOX = /^\s*[-*]\s*\[([ xX])\]\s*<!--\s*(approve|retry):([A-Za-z0-9_.-]+)(?:@([A-Za-z0-9_-]+))?\s*-->/;

export interface DashboardRequest {
  action: DashboardAction;
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

function box(action: DashboardAction, run: RunRecord & { interrupt?: string | undefined }, ticked: Set<string> | undefined, text: string): string {
  const marker = `${action}:${run.id}${action === 'approve' && run.interrupt ? `@${run.interrupt}` : ''}`;
  return `- [${ticked?.has(`${action}:${run.id}`) ? 'x' : ' '}] <!-- ${marker} --> ${text}`;
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim().slice(0, 200);

/** The dashboard body: four sections, checkboxes where a person can act. */
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
  lines.push('', '## Rate-limited', '');
  const limited = input.held.filter((h) => !h.reason.startsWith('plugin is '));
  if (limited.length === 0) lines.push('No group was held back by a limit.');
  for (const item of limited) lines.push(`- **${item.plugin}** group \`${item.group.slice(0, 12)}\`: ${oneLine(item.reason)}`);
  lines.push('', '## Failed runs', '');
  if (input.failed.length === 0) lines.push('No run failed.');
  for (const run of input.failed) lines.push(box('retry', run, input.ticked, `retry **${run.plugin}** \`${run.id}\`: ${oneLine(run.error ?? 'failed')}`));
  lines.push('', '## Unhealthy plugins', '');
  if (input.unhealthy.length === 0) lines.push('Every plugin is healthy or degraded.');
  for (const plugin of input.unhealthy) lines.push(`- **${plugin.name}**: ${plugin.health}${plugin.reason ? `: ${oneLine(plugin.reason)}` : ''}`);
  return `${lines.join('\n')}\n`;
}
