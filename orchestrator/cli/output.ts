/** Human output helpers: plain tables that line up, and JSON that scripts can rely on. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** How long ago an ISO time was, as a person reads it: `42s ago`, `5m ago`, `3h ago`, `2d ago`. */
export function ago(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86_400)}d ago`;
}

export function print(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/**
 * A live count on stderr for long work, only when a person is watching: scripts and
 * CI logs get no carriage-return noise.
 */
export function progress(label: string): { update: (done: number, total: number, note?: string) => void; done: () => void } {
  const live = process.stderr.isTTY === true;
  let last = 0;
  return {
    update(done, total, note = '') {
      if (!live) return;
      const now = Date.now();
      if (done !== total && now - last < 80) return;
      last = now;
      const width = 24;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      process.stderr.write(`\r\u001b[2K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${note ? ` ${note}` : ''}`);
    },
    done() {
      if (live) process.stderr.write('\r\u001b[2K');
    },
  };
}
