/** What no fix may change, whatever the playbook says: the manifest, steward's own files, and git's. */
export const ALWAYS_PROTECTED = ['plugin.json', '.steward/**', '**/.gitattributes', '**/.gitignore', '**/.gitmodules'];

/**
 * A glob of protectedPaths as a test on a plugin-relative path: `**` any depth
 * (`**\/` zero or more directories), `*` and `?` within a segment, `[…]` a class; a
 * pattern without a wildcard also covers everything under it as a directory.
 */
export function globMatcher(glob: string): (path: string) => boolean {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (glob.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  const exact = new RegExp(`^${source}$`);
  const under = /[*?[]/.test(glob) ? undefined : new RegExp(`^${source}/`);
  return (path) => exact.test(path) || (under?.test(path) ?? false);
}

/** Tests and what tests rest on, in the usual places: a patch may not delete or weaken them. */
export function isTestFile(path: string): boolean {
  return (
    /(^|\/)(test|tests|__tests__|spec|fixtures)\//.test(path) ||
    /\.(test|spec)\.[cm]?[jt]sx?$/.test(path) ||
    /(^|\/)(test_[^/]+|[^/]+_test|conftest)\.py$/.test(path) ||
    /(^|\/)(pytest\.ini|tox\.ini|\.mocharc\.[a-z]+|jest\.config\.[a-z]+|vitest\.config\.[a-z]+)$/.test(path)
  );
}
