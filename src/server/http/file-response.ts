import type { FastifyReply, FastifyRequest } from 'fastify';
import { resolveRange } from '../domain/downloads.js';
import { ServiceError } from '../domain/errors.js';

/** True when the request's If-None-Match names `etag` (weak or strong), so a 304 will do. */
export function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  return Boolean(header?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag));
}

/** Whether `Accept-Encoding` takes gzip: named (or, when not named, `*`) with a weight above 0. */
export function acceptsGzip(request: FastifyRequest): boolean {
  const header = request.headers['accept-encoding'];
  if (!header) return false;
  const weights = new Map<string, number>();
  for (const part of String(header).toLowerCase().split(',')) {
    const [coding, ...params] = part.split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    if (coding) weights.set(coding, q ? Number(q.slice(2)) : 1);
  }
  const weight = weights.get('gzip') ?? weights.get('x-gzip') ?? weights.get('*') ?? 0;
  return weight > 0;
}

/**
 * The byte range a file download serves, with the status and length headers set for it: 206 and
 * Content-Range for a satisfiable Range, the whole length otherwise; a Range outside the file is
 * a 416 naming the file's size.
 */
export function servedRange(
  request: FastifyRequest,
  reply: FastifyReply,
  size: number,
): { start: number; end: number } | null {
  const range = resolveRange(request.headers.range, size);
  if (range === 'unsatisfiable') {
    void reply.header('Content-Range', `bytes */${size}`);
    throw new ServiceError(
      'range_not_satisfiable',
      `Range '${request.headers.range}' lies outside the file (${size} bytes).`,
    );
  }
  if (range) {
    void reply
      .code(206)
      .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
      .header('Content-Length', String(range.end - range.start + 1));
  } else {
    void reply.header('Content-Length', String(size));
  }
  return range;
}
