import type { FastifyReply, FastifyRequest } from 'fastify';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, PageQuery } from '../../api/paging.js';
import { ServiceError } from '../domain/errors.js';

/** `page` (1-based) and `page_size` query parameters: the one schema every paged list uses. */
export { PageQuery };

/** Offset and limit for a page. */
export function pageWindow(q: { page?: number; page_size?: number }): {
  page: number;
  size: number;
  offset: number;
} {
  const page = q.page ?? 1;
  const size = Math.min(q.page_size ?? PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX);
  return { page, size, offset: (page - 1) * size };
}

/**
 * Sets `Link` and `X-Pagination-*` headers for a bare-array list response. A page past the last
 * one is refused with 404 `Invalid page.`, as Cloudsmith answers, so a client that walks pages
 * cannot loop forever on empty ones; page 1 of an empty list is an empty page.
 */
export function setPaginationHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  page: number,
  size: number,
  count: number,
): void {
  const total = Math.max(1, Math.ceil(count / size));
  if (page > total) {
    const message = `Invalid page. The last page is ${total} at page_size ${size}.`;
    throw new ServiceError('not_found', message, { page: [message] });
  }
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
  if (page > 1) links.push(link(page - 1, 'prev'));
  if (page < total) links.push(link(page + 1, 'next'));
  links.push(link(total, 'last'));
  void reply.header('Link', links.join(', '));
}
