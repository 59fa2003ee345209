import { messageOf } from '../../orchestrator/core/errors.ts';
import { join } from 'node:path';
import type { GroupStore } from '../../orchestrator/ingest/groups.ts';
import { appendPluginHistory } from '../../orchestrator/library/context.ts';
import { git, gitRaw } from '../../orchestrator/library/git/run.ts';
import { HISTORY_FILE, readHistory } from '../../orchestrator/library/history.ts';
import { commitIdentity, type Library } from '../../orchestrator/library/library.ts';
import { loadManifest, MANIFEST_FILE, updateManifestFile } from '../../orchestrator/library/manifest.ts';
import semver from 'semver';
import { pushPlugin } from '../../orchestrator/library/subtree/push.ts';
import type { TrackedProposal, Tracker } from '../trackers/types.ts';
import { cutTitle } from '../../orchestrator/core/title.ts';

export interface Settled {
  proposal: number;
  plugin: string;
  branch: string;
  /**
   * merged: settled now; open: its branch is not in HEAD yet; awaiting-pull: the
   * tracker merged it, the library's HEAD does not have it yet; gone: its branch was
   * deleted unmerged.
   */
  state: 'merged' | 'open' | 'awaiting-pull' | 'gone';
  version?: string;
  /** The upstream push: the new upstream commit, "no upstream", or why it failed. */
  push?: string;
}

/** The history's `fix` entry of this proposal, once settle wrote it: the version the fix was released in. */
export function recordedIn(dir: string, proposal: TrackedProposal): { version?: string | undefined } | undefined {
  return readHistory(dir, Number.MAX_SAFE_INTEGER).entries.find((e) => e.type === 'fix' && e.group === proposal.fingerprint && e.url === proposal.url);
}

/** The next patch release after `version`; a version semver cannot read is kept. */
function nextPatch(version: string): string {
  return semver.inc(version, 'patch') ?? version;
}

/**
 * What follows a merged proposal: a `fix` entry in the plugin's history (committed on
 * its own), the plugin's version bumped to the next patch release in the same commit,
 * the plugin pushed to its upstream, the group `resolved` in that next version (a
 * recurrence from that version on makes it `regressed`; the buggy version's do not), its
 * issue closed and the proposal `merged`. A proposal counts as merged when its
 * branch's commit is in HEAD, whether it was merged in the library or on the forge
 * (then pulled). Every step is safe to repeat, so a settle that died is finished by
 * the next one: the history entry is written once, a closed issue is not closed again,
 * and the proposal is marked merged last.
 */
export async function settleMerged(library: Library, tracker: Tracker, groups: GroupStore): Promise<Settled[]> {
  const out: Settled[] = [];
  for (const proposal of await tracker.listProposals()) {
    if (proposal.state === 'closed') continue;
    const dir = join(library.paths.plugins, proposal.plugin);
    const recorded = recordedIn(dir, proposal);
    if (proposal.state === 'merged' && recorded && (await tracker.getIssue(proposal.issue))?.state !== 'open') continue;
    const base = { proposal: proposal.number, plugin: proposal.plugin, branch: proposal.branch };
    const tip = await gitRaw(library.root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/heads/${proposal.branch}^{commit}`]);
    if (tip.code !== 0) {
      out.push({ ...base, state: 'gone' });
      continue;
    }
    const merged = await gitRaw(library.root, ['merge-base', '--is-ancestor', '--end-of-options', tip.stdout.trim(), 'HEAD']);
    if (merged.code !== 0) {
      out.push({ ...base, state: proposal.state === 'merged' ? 'awaiting-pull' : 'open' });
      continue;
    }
    const manifest = loadManifest(dir, `${proposal.plugin}/plugin.json`);
    const history = `${library.config.pluginsDir}/${proposal.plugin}/${HISTORY_FILE}`;
    const manifestPath = `${library.config.pluginsDir}/${proposal.plugin}/${MANIFEST_FILE}`;
    // The fix is released in the next patch version: the one deployed now still has the bug.
    // The history entry is written first and says which version, so a settle that died
    // between the two writes bumps to that version, never twice.
    const version = recorded ? (recorded.version ?? manifest.version) : nextPatch(manifest.version);
    if (!recorded)
      appendPluginHistory(library, proposal.plugin, {
        at: new Date().toISOString(),
        type: 'fix',
        summary: proposal.title,
        version,
        group: proposal.fingerprint,
        url: proposal.url,
      });
    if (semver.valid(version) && semver.valid(manifest.version) && semver.lt(manifest.version, version)) {
      updateManifestFile(dir, (raw) => {
        raw.version = version;
      });
    }
    if ((await git(library.root, ['status', '--porcelain', '--', history, manifestPath])).trim() !== '') {
      await git(library.root, ['add', '--', history, manifestPath]);
      // Only these two files: whatever else a maintainer has staged stays theirs.
      const subject = cutTitle(`chore(${proposal.plugin}): release ${version} (proposal #${proposal.number})`);
      await git(library.root, ['commit', '-q', '--no-verify', '-m', subject, '--', history, manifestPath], {
        env: commitIdentity(library),
      });
    }
    let push = 'no upstream';
    if (manifest.upstream) {
      try {
        push = (await pushPlugin(library, proposal.plugin)).splitCommit;
      } catch (error) {
        push = `failed: ${messageOf(error)}`;
      }
    }
    // Events from the version still deployed keep counting; one from the fixed version on reopens it.
    await groups.transition(proposal.fingerprint, 'resolved', { resolvedIn: version });
    if ((await tracker.getIssue(proposal.issue))?.state === 'open') {
      await tracker.closeIssue(
        proposal.issue,
        `Fixed by proposal #${proposal.number}, merged into the library and released in ${proposal.plugin} ${version}. Upstream: ${push}. An event from ${version} or later reopens this as a regression; events from earlier versions do not.`,
      );
    }
    if (proposal.state !== 'merged') await tracker.setProposalState(proposal.number, 'merged');
    out.push({ ...base, state: 'merged', version, push });
  }
  return out;
}
