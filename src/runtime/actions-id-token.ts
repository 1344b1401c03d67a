import { HttpClient } from '@actions/http-client';
import { errorMessage } from '../client/errors.js';
import { IdTokenError, isRetryableIdTokenStatus } from './runtime.js';

/**
 * Asks a GitHub-Actions-style ID-token endpoint for a token (`GET {url}&audience=…` with
 * `Authorization: Bearer {requestToken}` → `{"value": jwt}`), as @actions/core does but without
 * printing `::add-mask::`: the CLI runtime masks by redaction instead. One attempt; the caller
 * retries when the thrown {@link IdTokenError} says `retryable`.
 */
export async function fetchActionsIdToken(
  requestUrl: string,
  requestToken: string,
  audience: string | undefined,
  timeoutMs = 30_000,
): Promise<string> {
  const url = new URL(requestUrl);
  if (audience) url.searchParams.set('audience', audience);
  const http = new HttpClient('airlock-cli', [], { allowRetries: false, socketTimeout: timeoutMs });
  let status: number | undefined;
  let text: string;
  try {
    const res = await http.get(url.toString(), {
      authorization: `Bearer ${requestToken}`,
      accept: 'application/json',
    });
    status = res.message.statusCode;
    text = await res.readBody();
  } catch (err) {
    const reason = errorMessage(err);
    throw new IdTokenError(
      `Could not reach the ID-token endpoint ${url.origin}: ${reason}`,
      true,
      undefined,
      err,
    );
  }
  if (status !== 200) {
    throw new IdTokenError(
      `The ID-token endpoint ${url.origin} answered HTTP ${status}: ${text.slice(0, 200)}`,
      isRetryableIdTokenStatus(status),
      status,
    );
  }
  let value: unknown;
  try {
    value = (JSON.parse(text) as { value?: unknown }).value;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string' || value === '') {
    throw new IdTokenError(
      `The ID-token endpoint ${url.origin} answered without a token ("value").`,
      false,
      status,
    );
  }
  return value;
}
