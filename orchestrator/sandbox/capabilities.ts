import { bubblewrap, bwrapSizesTmpfs } from './backends/bubblewrap/index.ts';
import { onPath } from './backends/which.ts';
import { available as cgroupAvailable } from './cgroup.ts';
import { reachableBy, sandboxHostUid } from './host-uid.ts';
import { STEWARD_ROOT } from '../core/steward-root.ts';

export interface SandboxFinding {
  severity: 'warning' | 'info';
  code: string;
  message: string;
}

/** What the sandbox can enforce on this machine, said the way doctor reports it. */
export function sandboxFindings(): SandboxFinding[] {
  const findings: SandboxFinding[] = [];
  if (!bubblewrap.available()) {
    findings.push({
      severity: 'warning',
      code: 'sandbox-no-bubblewrap',
      message: 'bubblewrap (bwrap) is not installed: plugins and their tests run as plain processes that can see the file system and the network (apt-get install bubblewrap)',
    });
  }
  if (bubblewrap.available() && !bwrapSizesTmpfs()) {
    findings.push({
      severity: 'info',
      code: 'sandbox-tmp-unbounded',
      message: "this bubblewrap is older than 0.5: the sandbox's /tmp has no size of its own and counts only against the memory cap",
    });
  }
  if (process.getuid?.() !== 0) {
    findings.push({
      severity: 'info',
      code: 'sandbox-disk-checked',
      message: 'not root: working copies get no tmpfs of their own; their size quota is measured while a run goes, and files deleted but still open are not counted',
    });
  }
  if (process.getuid?.() === 0 && bubblewrap.available()) {
    const uid = sandboxHostUid();
    if (uid === undefined || !reachableBy(uid, STEWARD_ROOT)) {
      findings.push({
        severity: 'warning',
        code: 'sandbox-root-uid',
        message:
          uid === undefined
            ? "runs keep root's host uid (STEWARD_SANDBOX_UID=0, or setpriv is missing): a setuid file made in a sandbox belongs to root, inert only on the working copy's nosuid tmpfs"
            : `runs keep root's host uid: uid ${uid} cannot reach steward's install at ${STEWARD_ROOT} (make its directories searchable, o+x)`,
      });
    }
  }
  if (!cgroupAvailable()) {
    findings.push({
      severity: 'info',
      code: 'sandbox-no-cgroup',
      message: 'no writable cgroup v1 memory/pids hierarchy: memory is capped by rlimits and Node heap flags, and escaped processes are found by process group only',
    });
  }
  if (!onPath('prlimit')) {
    findings.push({ severity: 'warning', code: 'sandbox-no-prlimit', message: 'prlimit is missing: no rlimits are set (apt-get install util-linux)' });
  }
  return findings;
}
