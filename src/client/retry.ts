/** How long to wait and whether to retry: timings are injectable so tests never sleep. */
export interface RetryTiming {
  /** Waits `ms` milliseconds. Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1): the jitter source. Default: Math.random. */
  random?: () => number;
  /** First backoff ceiling, doubled on every retry. Default 1000 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 30 000 ms. */
  maxDelayMs?: number;
  /** Largest wait a server may ask for with `Retry-After`. Default 60 000 ms. */
  maxRetryAfterMs?: number;
}

/** What a retry predicate answers: no retry, or a retry (optionally after a server-chosen delay). */
export type RetryDecision = false | { retryAfterMs?: number };

/** Told before each wait, so callers can log the retry. */
export interface RetryNotice {
  /** 1 for the first retry. */
  retry: number;
  /** Retries allowed in all. */
  retries: number;
  delayMs: number;
  error: unknown;
}

/** Options of {@link retry}. */
export interface RetryOptions extends RetryTiming {
  /** Retries after the first attempt (so `retries + 1` attempts at most). */
  retries: number;
  /** Decides, per failure, whether another attempt may help. */
  shouldRetry: (error: unknown, attempt: number) => RetryDecision;
  /** Called before each wait. */
  onRetry?: (notice: RetryNotice) => void;
  /** Epoch milliseconds after which no further attempt starts (waiting for scans). */
  deadline?: number;
  /** The clock the deadline is measured with. Default Date.now. */
  now?: () => number;
}

/** Timing defaults used when a caller leaves them out. */
export const DEFAULT_TIMING = {
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
} as const;

/** Waits `ms` milliseconds on a real timer. */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The wait before retry number `retry` (1-based): exponential backoff with full jitter, i.e. a
 * uniform draw in [0, min(max, base·2^(retry-1))). Full jitter spreads clients that failed
 * together so they do not come back together.
 */
export function backoffDelay(retry: number, timing: RetryTiming = {}): number {
  const base = timing.baseDelayMs ?? DEFAULT_TIMING.baseDelayMs;
  const max = timing.maxDelayMs ?? DEFAULT_TIMING.maxDelayMs;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, retry - 1));
  return Math.floor((timing.random ?? Math.random)() * ceiling);
}

/**
 * Reads a `Retry-After` header: delay seconds or an HTTP date. Returns milliseconds, capped at
 * `capMs`, or undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number,
  capMs: number = DEFAULT_TIMING.maxRetryAfterMs,
): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  let ms: number;
  if (/^\s*\d+(\.\d+)?\s*$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(capMs, Math.max(0, Math.round(ms)));
}

/**
 * Runs `fn` until it succeeds, `shouldRetry` says no, the retries run out or the deadline
 * passes; then rethrows the last error. A server-chosen delay (Retry-After) replaces the backoff.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.retries) throw error;
      const decision = options.shouldRetry(error, attempt);
      if (decision === false) throw error;
      const delayMs = decision.retryAfterMs ?? backoffDelay(attempt + 1, options);
      if (options.deadline !== undefined && now() + delayMs >= options.deadline) throw error;
      options.onRetry?.({ retry: attempt + 1, retries: options.retries, delayMs, error });
      await sleep(delayMs);
    }
  }
}
