import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../domain/ids.js';
import { ServiceError } from '../domain/errors.js';

const WINDOW_MS = 3600_000;

interface Window {
  start: number;
  count: number;
}

/** Fixed one-hour counting windows per key, kept in this process. */
class HourlyWindows {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly clock: Clock) {}

  /** The key's current window (a fresh one when the last has run out) and the time now. */
  current(key: string): { w: Window; now: number } {
    const now = this.clock().getTime();
    let w = this.windows.get(key);
    if (!w || now - w.start >= WINDOW_MS) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 100_000) this.prune(now);
    }
    return { w, now };
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(k);
  }
}

/** Where a caller stands in its current window, as the headers and `GET /rates/limits/` tell it. */
export interface RateStatus {
  limit: number;
  remaining: number;
  /** End of the window (Unix seconds). */
  reset: number;
  /** Seconds to wait before the next request: 0 unless throttled. */
  interval: number;
  throttled: boolean;
}

function statusOf(limit: number, { w, now }: { w: Window; now: number }): RateStatus {
  const reset = Math.ceil((w.start + WINDOW_MS) / 1000);
  const throttled = w.count > limit;
  return {
    limit,
    remaining: Math.max(0, limit - w.count),
    reset,
    // Never 0 while throttled: the window may end within this second.
    interval: throttled ? Math.max(1, reset - Math.floor(now / 1000)) : 0,
    throttled,
  };
}

/**
 * Sets the four `X-RateLimit-*` headers for a window and throws `throttled` (429, with
 * `Retry-After`) when it is over `limit`.
 */
function applyWindow(
  reply: FastifyReply,
  limit: number,
  current: { w: Window; now: number },
  detail: string,
): void {
  const status = statusOf(limit, current);
  void reply.header('X-RateLimit-Limit', String(status.limit));
  void reply.header('X-RateLimit-Remaining', String(status.remaining));
  void reply.header('X-RateLimit-Reset', String(status.reset));
  void reply.header('X-RateLimit-Interval', String(status.interval));
  if (status.throttled) {
    throw new ServiceError(
      'throttled',
      `${detail} Expected available in ${status.interval} seconds.`,
      undefined,
      status.interval,
    );
  }
}

/** Whose window a request counts against: its service account, else its client address. */
function callerKey(request: FastifyRequest): string {
  return request.actor.principal ? `s:${request.actor.principal.serviceId}` : `ip:${request.ip}`;
}

/**
 * Fixed one-hour windows per caller (service account, else client IP), kept in this process.
 * Every response carries the four `X-RateLimit-*` headers; `X-RateLimit-Interval` is 0 unless the
 * caller is throttled, because the official CLI sleeps that many seconds after every call.
 */
export class RateLimiter {
  private readonly windows: HourlyWindows;

  constructor(
    private readonly perHour: number,
    clock: Clock,
  ) {
    this.windows = new HourlyWindows(clock);
  }

  /** Counts the request, sets the headers, and throws `throttled` (429) over the limit. */
  check(request: FastifyRequest, reply: FastifyReply): void {
    if (this.perHour === 0) return;
    const current = this.windows.current(callerKey(request));
    current.w.count += 1;
    applyWindow(reply, this.perHour, current, 'Request was throttled.');
  }

  /** The caller's current window without counting a request; null when throttling is off. */
  status(request: FastifyRequest): RateStatus | null {
    if (this.perHour === 0) return null;
    return statusOf(this.perHour, this.windows.current(callerKey(request)));
  }
}

/**
 * Failed authentications per client address, in fixed one-hour windows. A request that fails
 * authentication never reaches {@link RateLimiter} (there is no caller to count it against), so
 * without this a client could try keys without limit. Once an address has used up its failures,
 * every request from it that carries a credential is refused before any key is hashed or looked
 * up, valid or not, until the window ends: telling a valid key from a guess would take that work.
 */
export class FailedAuthLimiter {
  private readonly windows: HourlyWindows;

  constructor(
    private readonly perHour: number,
    clock: Clock,
  ) {
    this.windows = new HourlyWindows(clock);
  }

  /** Throws `throttled` (429, with the headers) when `address` has no failures left in this window. */
  refuseIfThrottled(address: string, reply: FastifyReply): void {
    if (this.perHour === 0) return;
    const current = this.windows.current(address);
    if (current.w.count < this.perHour) return;
    // Past the limit: the headers and the 429 describe this window, and the request is counted too.
    current.w.count += 1;
    applyWindow(
      reply,
      this.perHour,
      current,
      'Too many requests with invalid credentials from this address.',
    );
  }

  /** Counts one failed authentication of `address`. */
  recordFailure(address: string): void {
    if (this.perHour === 0) return;
    this.windows.current(address).w.count += 1;
  }
}
