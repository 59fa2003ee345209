/** A glob of the playbook's protectedPaths (`**` any depth, `*` within a segment) as a test on a plugin-relative path. */
export function globMatcher(glob: string): (path: string) => boolean {
  const source = glob
    .split('**')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
    .join('.*');
  const pattern = new RegExp(`^${source}$`);
  return (path) => pattern.test(path);
}

/** Tests in any of the usual places: a patch may not delete or weaken them. */
export function isTestFile(path: string): boolean {
  return /(^|\/)(test|tests|__tests__|spec)\//.test(path) || /\.(test|spec)\.[cm]?[jt]sx?$/.test(path) || /(^|\/)test_[^/]+\.py$/.test(path) || /_test\.py$/.test(path);
}
