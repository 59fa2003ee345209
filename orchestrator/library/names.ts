import { StewardError } from '../core/errors.ts';

/** The plugin contract's name rule; also what keeps a name safe as a path segment. */
export const PLUGIN_NAME_PATTERN = /^[a-z][a-z0-9-]{1,63}$/;

export function assertPluginName(name: string): string {
  if (!PLUGIN_NAME_PATTERN.test(name)) {
    const why =
      name.includes('/') || name.includes('..') || name.includes('\\')
        ? 'a plugin name is one path segment: no "/", "\\" or ".."'
        : 'it must match ^[a-z][a-z0-9-]{1,63}$ (lowercase letters, digits and "-", starting with a letter)';
    throw new StewardError('E_PLUGIN_NAME', `invalid plugin name ${JSON.stringify(name)}: ${why}`);
  }
  return name;
}
