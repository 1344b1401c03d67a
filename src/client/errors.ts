/** Per-field messages, in the `{fields: {name: [msg]}}` shape the service answers with. */
export type FieldMessages = Record<string, string[]>;

/** What the client knows about a refused request. */
export interface ApiErrorInit {
  method: string;
  /** The request path (no query string, no host): safe to print. */
  path: string;
  status: number;
  detail: string;
  fields?: FieldMessages;
  code?: string;
  /** Attempts made, retries included. */
  attempts?: number;
  /** The wait the server asked for with `Retry-After`, in milliseconds (capped). */
  retryAfterMs?: number;
}

/**
 * A request the repository answered with a non-2xx status. Callers branch on `status` and `code`
 * (a 404 that means "not there yet", a 409 duplicate); the message names the call and the
 * server's own words, e.g. `POST /files/acme/dev/: 422 checksum_mismatch — sha256 differs`.
 */
export class ApiError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly detail: string;
  readonly fields?: FieldMessages;
  readonly code?: string;
  readonly attempts: number;
  readonly retryAfterMs?: number;

  constructor(init: ApiErrorInit) {
    super(formatApiError(init));
    this.name = 'ApiError';
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.detail = init.detail;
    this.fields = init.fields;
    this.code = init.code;
    this.attempts = init.attempts ?? 1;
    this.retryAfterMs = init.retryAfterMs;
  }
}

function formatApiError(init: ApiErrorInit): string {
  const label = init.code ? `${init.status} ${init.code}` : String(init.status);
  let text = `${init.method} ${init.path}: ${label} — ${init.detail}`;
  const fields = Object.entries(init.fields ?? {}).filter(([name]) => !init.detail.includes(name));
  if (fields.length > 0) {
    text += ` (${fields.map(([name, msgs]) => `${name}: ${msgs.join(' ')}`).join('; ')})`;
  }
  if ((init.attempts ?? 1) > 1) text += ` [after ${init.attempts} attempts]`;
  return text;
}

/**
 * Reads an error body: the service's `{detail, fields, code}`, the `error` key some servers use,
 * or the start of a non-JSON body.
 */
export function readErrorBody(
  text: string,
  statusText: string,
): Pick<ApiErrorInit, 'detail' | 'fields' | 'code'> {
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const body = parsed as Record<string, unknown>;
    const detail =
      typeof body.detail === 'string' ? body.detail : typeof body.error === 'string' ? body.error : undefined;
    const fields = isFieldMessages(body.fields) ? body.fields : undefined;
    const code = typeof body.code === 'string' ? body.code : undefined;
    if (detail !== undefined || fields !== undefined) {
      return { detail: detail ?? statusText, fields, code };
    }
  }
  const snippet = text.trim().replace(/\s+/g, ' ').slice(0, 200);
  return { detail: snippet || statusText || 'no detail given' };
}

function isFieldMessages(value: unknown): value is FieldMessages {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string'));
}

/** Socket-level failures that say the server never saw the request. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
/** Socket-level failures where the request may or may not have been processed. */
const MAYBE_SENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** How a thrown network error bears on retrying. */
export type NetworkFailure = 'not-sent' | 'maybe-sent' | null;

/**
 * Classifies an error thrown while sending a request: `not-sent` (connection refused: safe to
 * retry any request), `maybe-sent` (reset, timeout: retry only idempotent requests), or null
 * (not a transient network failure).
 */
export function classifyNetworkError(error: unknown): NetworkFailure {
  const code = errorCode(error);
  if (code && NOT_SENT_CODES.has(code)) return 'not-sent';
  if (code && MAYBE_SENT_CODES.has(code)) return 'maybe-sent';
  const message = errorMessage(error);
  // @actions/http-client reports its socket timeout as a plain Error with this message.
  if (/^Request timeout/.test(message) || /socket hang up/.test(message)) return 'maybe-sent';
  return null;
}

/**
 * The message of anything thrown. Checked by shape rather than `instanceof Error`: errors raised
 * by Node's own modules come from another realm when code runs inside a VM context (tests).
 */
export function errorMessage(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    'message' in error &&
    typeof error.message === 'string'
  ) {
    return error.message;
  }
  return String(error);
}

/** The `code` of a system error (`ECONNRESET`), if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/** OpenSSL's words for a TLS handshake answered by something that is not TLS (a plain-HTTP server). */
const NOT_TLS = /wrong version number|packet length too long|unknown protocol|http request/i;

/**
 * One line saying why a request to `url` could not be sent, for a person: a TLS handshake a
 * plain-HTTP server answered names the URL and the likely cause instead of OpenSSL's dump;
 * any other failure keeps its message, folded onto one line without OpenSSL's error-stack codes.
 */
export function describeSendFailure(error: unknown, url: string): string {
  const target = new URL(url);
  const origin = `${target.protocol}//${target.host}`;
  const message = errorMessage(error);
  if (
    target.protocol === 'https:' &&
    (errorCode(error) === 'EPROTO' || /^ERR_SSL_/.test(errorCode(error) ?? '')) &&
    NOT_TLS.test(message)
  ) {
    return `${origin} did not answer the TLS handshake: it is most likely a plain-HTTP server, so use http://${target.host} (or the port where it serves HTTPS).`;
  }
  return message
    .replace(/\s*[0-9A-F]{8,}:error:[0-9A-F]{8}:[^:]*:[^:]*:([^:]*):\S*/g, ' $1')
    .replace(/\s+/g, ' ')
    .trim();
}
