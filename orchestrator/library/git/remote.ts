/**
 * What steward accepts as a plugin's upstream, and how it shows one. Git reads a
 * "URL" that starts with "-" as an option and runs transports such as `ext::` that
 * execute commands, so only the forms a plugin upstream needs are let through.
 */

export type RemoteKind = 'https' | 'ssh' | 'scp' | 'file' | 'path';

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
// git's scp-like syntax: [user@]host:path, with no "/" before the first ":".
const SCP = /^(?:([A-Za-z0-9._~+-]+)@)?([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(.*)$/s;
const ACCEPTED = 'an https:, ssh:, git@host:path or file: URL, or a local path';

function isControl(c: string): boolean {
  const code = c.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}

/** Why `url` is not an acceptable upstream, or undefined when it is. */
export function remoteProblem(url: string): string | undefined {
  if (url.length === 0) return 'is empty';
  if ([...url].some(isControl)) return 'contains a control character';
  if (/^\s|\s$/.test(url)) return 'starts or ends with white space';
  if (url.startsWith('-')) return 'starts with "-", which git would read as an option';
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url)) return `uses a remote helper ("<transport>::"); it must be ${ACCEPTED}`;
  const kind = remoteKind(url);
  if (!kind) return `must be ${ACCEPTED}`;
  if (kind === 'https' || kind === 'ssh' || kind === 'file') {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'is not a valid URL';
    }
    if (kind !== 'file' && (parsed.hostname === '' || parsed.hostname.startsWith('-'))) return 'has no valid host';
    if (kind === 'file' && parsed.hostname !== '') return 'must be file:///absolute/path (no host)';
  }
  if (kind === 'scp') {
    const [, , host = '', path = ''] = SCP.exec(url) ?? [];
    if (host.startsWith('-')) return 'has no valid host';
    if (path === '' || path.startsWith('-')) return 'has no valid path after "host:"';
  }
  return undefined;
}

export function remoteKind(url: string): RemoteKind | undefined {
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (scheme === 'https' || scheme === 'ssh' || scheme === 'file') return scheme;
    return undefined;
  }
  const colon = url.indexOf(':');
  if (colon === -1 || url.slice(0, colon).includes('/')) return url.startsWith('-') ? undefined : 'path';
  return SCP.test(url) ? 'scp' : undefined;
}

/**
 * The URL without credentials, for anything that is written down or shown: a token
 * in `https://token@host/…` is a secret. An ssh user name (git@) is not, and the
 * connection needs it, so only an ssh password goes.
 */
export function withoutCredentials(url: string): string {
  const kind = remoteKind(url);
  if (kind !== 'https' && kind !== 'ssh' && kind !== 'file') return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  // A token may also ride in the query (`?access_token=…`): an upstream needs neither query nor fragment.
  if (parsed.username === '' && parsed.password === '' && parsed.search === '' && parsed.hash === '') return url;
  if (kind !== 'ssh') parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString();
}

/** True when writing `url` down would write a secret. */
export function hasCredentials(url: string): boolean {
  return withoutCredentials(url) !== url;
}

/** Git may speak these transports and no other, even for a URL an `insteadOf` rewrote. */
export const GIT_REMOTE_ENV = { GIT_ALLOW_PROTOCOL: 'https:ssh:file' } as const;

/** Replaces every occurrence of `url` in git's own words by its shown form. */
export function redactRemote(text: string, url: string): string {
  const shown = withoutCredentials(url);
  return shown === url ? text : text.split(url).join(shown);
}

/**
 * git's branch-name rules (git-check-ref-format), the ones that matter here: a name
 * that could be read as an option, or that git would refuse later, is refused now.
 */
export function branchProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.startsWith('-')) return 'starts with "-"';
  if ([...name].some((c) => isControl(c) || c === ' ' || '~^:?*[\\'.includes(c))) return 'contains a space, a control character or one of ~ ^ : ? * [ \\';
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return 'contains "..", "@{" or "//"';
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.') || name.endsWith('.lock')) return 'starts or ends with "/", or ends with "." or ".lock"';
  if (name === '@' || name.split('/').some((part) => part.startsWith('.'))) return 'has a part that starts with "."';
  return undefined;
}
