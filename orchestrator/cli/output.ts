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
