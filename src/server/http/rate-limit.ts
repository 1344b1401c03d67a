import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../domain/ids.js';
import { ServiceError } from '../domain/errors.js';

const WINDOW_MS = 3600_000;

/**
 * Fixed one-hour windows per caller (service account, else client IP), kept in this process.
 * Every response carries the four `X-RateLimit-*` headers; `X-RateLimit-Interval` is 0 unless the
 * caller is throttled, because the official CLI sleeps that many seconds after every call.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perHour: number,
    private readonly clock: Clock,
  ) {}

  /** Counts the request, sets the headers, and throws `throttled` (429) over the limit. */
  check(request: FastifyRequest, reply: FastifyReply): void {
    if (this.perHour === 0) return;
    const key = request.actor.principal ? `s:${request.actor.principal.serviceId}` : `ip:${request.ip}`;
    const now = this.clock().getTime();
    let w = this.windows.get(key);
    if (!w || now - w.start >= WINDOW_MS) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 100_000) this.prune(now);
    }
    w.count += 1;
    const reset = Math.ceil((w.start + WINDOW_MS) / 1000);
    const remaining = Math.max(0, this.perHour - w.count);
    const throttled = w.count > this.perHour;
    const wait = Math.max(1, reset - Math.floor(now / 1000));
    void reply.header('X-RateLimit-Limit', String(this.perHour));
    void reply.header('X-RateLimit-Remaining', String(remaining));
    void reply.header('X-RateLimit-Reset', String(reset));
    void reply.header('X-RateLimit-Interval', throttled ? String(wait) : '0');
    if (throttled) {
      throw new ServiceError(
        'throttled',
        `Request was throttled. Expected available in ${wait} seconds.`,
        undefined,
        wait,
      );
    }
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(k);
  }
}
