import { encodeCursor } from './cursor.ts';
import { resolvePage, type PageRequest } from './pages.ts';

export interface PaginateInput extends PageRequest {
  total?: number;
  items?: unknown[];
}

export interface PaginateOutput {
  page: number;
  pageSize: number;
  pageCount: number;
  total: number;
  offset: number;
  limit: number;
  items?: unknown[];
  hasNext: boolean;
  hasPrev: boolean;
  nextCursor: string | null;
  prevCursor: string | null;
}

interface Logger {
  debug?(obj: unknown, msg?: string): void;
  warn?(obj: unknown, msg?: string): void;
}

export interface PluginContext {
  env: Record<string, string | undefined>;
  log?: Logger;
  signal?: AbortSignal;
  workdir?: string;
}

function execute(input: PaginateInput, ctx: PluginContext): PaginateOutput {
  const total = input.items ? input.items.length : input.total;
  if (!input.items && !input.total) throw new TypeError('either "items" or "total" is required');
  if (input.items && input.total !== undefined && input.total !== input.items.length) {
    // The list is the truth; a stale count from a separate COUNT(*) query is not.
    ctx.log?.warn?.({ total: input.total, items: input.items.length }, 'total disagrees with items; using items');
  }

  const { page, pageSize, offset, pageCount } = resolvePage(input, total);
  const end = Math.min(offset + pageSize, total);
  const hasNext = page < pageCount;
  const hasPrev = page > 1;

  const output: PaginateOutput = {
    page,
    pageSize,
    pageCount,
    total,
    offset,
    limit: end - offset,
    hasNext,
    hasPrev,
    nextCursor: hasNext ? encodeCursor({ offset: offset + pageSize, pageSize }) : null,
    prevCursor: hasPrev ? encodeCursor({ offset: offset - pageSize, pageSize }) : null,
  };
  // Without items the caller pages in SQL with offset/limit and only needs the arithmetic.
  if (input.items) output.items = input.items.slice(offset, end);
  return output;
}

const plugin = {
  name: 'paginate',
  execute,
  help(): string {
    return [
      'paginate: offset pagination with opaque cursors.',
      'input:  { items?: any[], total?: integer, page?: integer, pageSize?: integer, cursor?: string | null }',
      'output: { page, pageSize, pageCount, total, offset, limit, items?, hasNext, hasPrev, nextCursor, prevCursor }',
    ].join('\n');
  },
};

export default plugin;
