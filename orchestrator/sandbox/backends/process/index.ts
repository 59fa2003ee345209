import type { SandboxBackend } from '../../types.ts';

/**
 * The fallback where bubblewrap is missing: a detached process group with rlimits and
 * a cleared environment. It does not hide the file system or the network; `isolation`
 * says so and `steward doctor` warns.
 */
export const processBackend: SandboxBackend = {
  name: 'process',
  available: () => true,
  wrap(spec, env) {
    return {
      argv: spec.argv,
      env,
      isolation: { namespaces: [], network: 'host', filesystem: 'host' },
    };
  },
};
