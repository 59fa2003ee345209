import picomatch from 'picomatch';

/** What no fix may change, whatever the playbook says: the manifest, steward's own files, and git's. */
export const ALWAYS_PROTECTED = ['plugin.json', '.steward/**', '**/.gitattributes', '**/.gitignore', '**/.gitmodules'];

/**
 * A glob of protectedPaths as a test on a plugin-relative path, with picomatch's
 * globs (`**`, `*`, `?`, `[…]`, `{a,b}`, `\\` escapes; dot files match). A pattern without
 * a wildcard also covers everything under it as a directory (`src/crypto`).
 */
export function globMatcher(glob: string): (path: string) => boolean {
  const options = { dot: true };
  const exact = picomatch(glob, options);
  const under = picomatch.scan(glob).isGlob ? undefined : picomatch(`${glob.replace(/\/+$/, '')}/**`, options);
  return (path) => exact(path) || (under?.(path) ?? false);
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
