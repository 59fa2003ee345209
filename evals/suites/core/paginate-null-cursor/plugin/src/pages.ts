import { decodeCursor } from './cursor.ts';

export const DEFAULT_PAGE_SIZE = 20;

export interface PageRequest {
  page?: number;
  pageSize?: number;
  cursor?: string | null;
}

export interface ResolvedPage {
  page: number;
  pageSize: number;
  offset: number;
  pageCount: number;
}

/** Number of pages for `total` items. An empty list still has one (empty) page. */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/**
 * Works out which page is being asked for. A cursor wins over `page`/`pageSize`:
 * it pins the page size it was minted with, so page boundaries do not shift while
 * a client scrolls even if the client's default page size changes in between.
 */
export function resolvePage(request: PageRequest, total: number): ResolvedPage {
  let page: number;
  let pageSize: number;
  if (request.cursor !== undefined) {
    const state = decodeCursor(request.cursor);
    pageSize = state.pageSize;
    page = Math.floor(state.offset / pageSize) + 1;
  } else {
    pageSize = request.pageSize ?? DEFAULT_PAGE_SIZE;
    page = request.page ?? 1;
  }

  const count = pageCount(total, pageSize);
  if (page > count) {
    throw new RangeError(`page ${page} is out of range (1..${count})`);
  }
  return { page, pageSize, offset: (page - 1) * pageSize, pageCount: count };
}
