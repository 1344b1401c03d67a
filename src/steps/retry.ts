import { retry, type RetryNotice, type RetryTiming } from '../client/retry.js';
import { errorMessage } from '../client/errors.js';
import { IdTokenError, type Runtime } from '../runtime/runtime.js';

/** A log line for a retry: what is retried, when, and why. */
export function describeRetry(what: string, notice: RetryNotice): string {
  const reason = errorMessage(notice.error);
  const seconds = (notice.delayMs / 1000).toFixed(1);
  return `${what} failed (${reason}); retry ${notice.retry} of ${notice.retries} in ${seconds} s.`;
}

/** Resolves with `promise`, or rejects with a retryable IdTokenError after `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new IdTokenError(`the ID-token request took longer than ${ms / 1000} s`, true)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The runtime's ID token for `audience`, retried on network failures, 5xx and timeouts with
 * backoff and jitter. A CI without ID tokens (IdTokenUnavailableError) fails at once.
 */
export async function getIdTokenWithRetries(
  runtime: Runtime,
  audience: string,
  retries: number,
  deps: { timing?: RetryTiming; idTokenTimeoutMs?: number } = {},
): Promise<string> {
  return retry(() => withTimeout(runtime.getIdToken(audience), deps.idTokenTimeoutMs ?? 30_000), {
    ...deps.timing,
    retries,
    shouldRetry: (err) => (err instanceof IdTokenError && err.retryable ? {} : false),
    onRetry: (notice) => runtime.info(describeRetry('Getting the OIDC ID token', notice)),
  });
}
