import { spawnSync } from 'node:child_process';
import pc from 'picocolors';

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

/** Whether a person reads stdout on a terminal that shows colour: never in a pipe, nor with NO_COLOR set (no-color.org) or TERM=dumb. */
function terminal(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

/** Colours for stdout: real ones on a terminal, plain text otherwise. */
export function colours(): ReturnType<typeof pc.createColors> {
  return pc.createColors(terminal());
}

/** A unified diff with added lines green, removed red and hunk headers cyan (plain off a terminal). */
export function colourDiff(diff: string): string {
  const c = colours();
  return diff
    .split('\n')
    .map((line) =>
      /^(\+\+\+|---) /.test(line) || line.startsWith('diff ')
        ? c.bold(line)
        : line.startsWith('+')
          ? c.green(line)
          : line.startsWith('-')
            ? c.red(line)
            : line.startsWith('@@')
              ? c.cyan(line)
              : line,
    )
    .join('\n');
}

/**
 * Prints long text through the reader's pager ($PAGER, else `less -FRX`) when stdout is
 * a terminal and the text is taller than it; otherwise, or when the pager cannot
 * start, prints it as it is. $PAGER is the reader's own setting and runs as their
 * shell would run it, as git does.
 */
export function printPaged(text: string): void {
  const rows = process.stdout.rows ?? 24;
  if (process.stdout.isTTY === true && text.split('\n').length >= rows) {
    const pager = process.env.PAGER?.trim() || 'less -FRX';
    const paged = spawnSync('/bin/sh', ['-c', pager], { input: `${text}\n`, stdio: ['pipe', 'inherit', 'inherit'], env: { LESS: 'FRX', ...process.env } });
    if (!paged.error && paged.status === 0) return;
  }
  print(text);
}
