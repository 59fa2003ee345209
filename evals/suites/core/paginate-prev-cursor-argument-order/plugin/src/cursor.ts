// Cursors are opaque to clients: base64url-encoded JSON `{"o": offset, "s": pageSize}`.
// base64url because they travel in query strings, where `+` and `/` get mangled.

export interface CursorState {
  offset: number;
  pageSize: number;
}

export class CursorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CursorError';
  }
}

export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify({ o: state.offset, s: state.pageSize }), 'utf8').toString('base64url');
}

/** The cursor of the page that starts at `offset`. */
export function cursorAt(offset: number, pageSize: number): string {
  return encodeCursor({ offset, pageSize });
}

export function decodeCursor(cursor: string): CursorState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // Clients hand-edit, truncate and double-encode cursors; that is a bad request, not a crash.
    throw new CursorError('cursor is not valid base64url JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new CursorError('cursor must encode an object');
  const { o, s } = parsed as Record<string, unknown>;
  if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) throw new CursorError('cursor offset is invalid');
  if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 1) throw new CursorError('cursor page size is invalid');
  return { offset: o, pageSize: s };
}
