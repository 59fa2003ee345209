import { StewardError } from '../../core/errors.ts';
import type { BackendName, SandboxBackend } from '../types.ts';
import { bubblewrap } from './bubblewrap/index.ts';
import { processBackend } from './process/index.ts';

const BACKENDS: Record<Exclude<BackendName, 'auto'>, SandboxBackend> = { bubblewrap, process: processBackend };

/** The backend a config name asks for; "auto" (or STEWARD_SANDBOX) picks the strongest available. */
export function pickBackend(name: BackendName = (process.env.STEWARD_SANDBOX as BackendName | undefined) ?? 'auto'): SandboxBackend {
  if (name === 'auto') return bubblewrap.available() ? bubblewrap : processBackend;
  const backend = BACKENDS[name];
  if (!backend) throw new StewardError('E_USAGE', `unknown sandbox backend "${String(name)}" (bubblewrap, process, auto)`);
  if (!backend.available()) {
    throw new StewardError('E_USAGE', `sandbox backend "${name}" is not available on this machine`, { hint: "install Debian's bubblewrap" });
  }
  return backend;
}
