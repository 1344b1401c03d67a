import { RepositoryClient } from '../client/client.js';
import { ApiError, classifyNetworkError } from '../client/errors.js';
import { isRetryableStatus } from '../client/http.js';
import type { RetryTiming } from '../client/retry.js';
import type { ConnectionSettings } from '../config/connection.js';
import type { Runtime } from '../runtime/runtime.js';
import { freshTokenSource, type AuthDeps } from './auth.js';
import { describeRetry } from './retry.js';

/** Timings and clock injected into the repository steps, so tests neither sleep nor wait. */
export interface StepDeps extends AuthDeps {
  timing?: RetryTiming;
  now?: () => number;
}

/**
 * A repository client for a step: the credential renewed when the `auth` step's token is about
 * to expire, retries logged through the runtime.
 */
export function connect(
  runtime: Runtime,
  connection: ConnectionSettings,
  deps: StepDeps = {},
): RepositoryClient {
  return new RepositoryClient({
    baseUrl: connection.apiUrl,
    getToken: freshTokenSource(runtime, connection, deps),
    retries: connection.retries,
    timing: deps.timing,
    now: deps.now,
    onRetry: (notice) => runtime.info(describeRetry(`${notice.method} ${notice.path}`, notice)),
  });
}

/**
 * Whether a failed write may be tried again once the step has checked that it did not take
 * effect: a network failure, a timeout, throttling or a server error. A refusal (4xx) never is.
 */
export function isTransientFailure(error: unknown): boolean {
  if (error instanceof ApiError) return isRetryableStatus(error.status);
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  return classifyNetworkError(cause) !== null || classifyNetworkError(error) !== null;
}

/** The wait a server asked for (Retry-After), when the failure carries one. */
export function retryAfterOf(error: unknown): { retryAfterMs?: number } {
  return error instanceof ApiError && error.retryAfterMs !== undefined
    ? { retryAfterMs: error.retryAfterMs }
    : {};
}
