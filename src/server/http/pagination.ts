import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';

/** `page` (1-based) and `page_size` (default 30, at most 500) query parameters. */
export const PageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 30 })),
});
/** Parsed paging parameters. */
export type PageQuery = Static<typeof PageQuery>;

/** Offset and limit for a page. */
export function pageWindow(q: { page?: number; page_size?: number }): {
  page: number;
  size: number;
  offset: number;
} {
  const page = q.page ?? 1;
  const size = Math.min(q.page_size ?? 30, 1000);
  return { page, size, offset: (page - 1) * size };
}

/** Sets `Link` and `X-Pagination-*` headers for a bare-array list response. */
export function setPaginationHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  page: number,
  size: number,
  count: number,
): void {
  const total = Math.max(1, Math.ceil(count / size));
  void reply.header('X-Pagination-Count', String(count));
  void reply.header('X-Pagination-Page', String(page));
  void reply.header('X-Pagination-PageSize', String(size));
  void reply.header('X-Pagination-PageTotal', String(total));
  const url = new URL(request.url, 'http://placeholder');
  const link = (p: number, rel: string): string => {
    url.searchParams.set('page', String(p));
    url.searchParams.set('page_size', String(size));
    return `<${url.pathname}${url.search}>; rel="${rel}"`;
  };
  const links = [link(1, 'first')];
  if (page > 1) links.push(link(Math.min(page - 1, total), 'prev'));
  if (page < total) links.push(link(page + 1, 'next'));
  links.push(link(total, 'last'));
  void reply.header('Link', links.join(', '));
}
