import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { HttpClient, HttpClientResponse } from '@actions/http-client';
import { ApiError, classifyNetworkError, describeSendFailure, readErrorBody } from './errors.js';
import { sendFileRequest, type FileBody } from './file-body.js';
import { DEFAULT_TIMING, parseRetryAfter, retry, type RetryNotice, type RetryTiming } from './retry.js';

/** HTTP methods the client sends. */
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How to reach the repository and how hard to try. */
export interface TransportOptions {
  /** The API root, e.g. `https://airlock.example.com` or `https://host/v1`. */
  baseUrl: string;
  /** A fixed credential (API key or exchanged token). */
  apiKey?: string;
  /** A credential looked up before every attempt (a token that may be refreshed mid-step). */
  getToken?: () => Promise<string>;
  /** `api-key` sends `X-Api-Key` (default); `bearer` sends `Authorization: Bearer`. */
  authScheme?: 'api-key' | 'bearer';
  /** Retries after the first attempt for retryable failures. Default 3. */
  retries?: number;
  /** Socket idle timeout per request. Default 60 000 ms. */
  timeoutMs?: number;
  userAgent?: string;
  timing?: RetryTiming;
  /** Told before each retry wait (for a log line). */
  onRetry?: (notice: RetryNotice & { method: Method; path: string }) => void;
  /** Clock for Retry-After dates. Default Date.now. */
  now?: () => number;
}

/** One call. */
export interface CallOptions {
  method: Method;
  /** A path under the base URL (`/files/acme/dev/`) or an absolute URL (an `upload_url`). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  /** A body read from a file, afresh for every attempt (a retry, a 307 or 308 redirect). */
  body?: FileBody;
  headers?: Record<string, string>;
  /**
   * Whether repeating the request is harmless. Defaults to true for GET, HEAD, PUT and DELETE,
   * false for POST and PATCH. A request that is not idempotent is retried only when it cannot
   * have been processed: the connection was refused, or the server answered 429.
   */
  idempotent?: boolean;
  /** Which statuses are worth retrying. Default: 408, 429 and 5xx (but 501 and 505). */
  retryStatus?: (status: number) => boolean;
  /** Overrides the transport's retry count. */
  retries?: number;
  /** Overrides the transport's socket timeout (long polls). */
  timeoutMs?: number;
}

/** A 2xx answer: status, headers and the parsed JSON body (undefined when empty). */
export interface Reply<T> {
  status: number;
  headers: IncomingHttpHeaders;
  data: T;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** The default retryable statuses: request timeout, throttling, and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * JSON and streaming requests to the repository over @actions/http-client (which honours the
 * runner's proxy settings), with bounded, targeted retries and careful redirects: an HTTPS→HTTP
 * redirect is refused, and credentials go only to the API's own origin, so a redirect or an
 * upload URL on another host never sees them.
 */
export class Transport {
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly clients = new Map<number, HttpClient>();

  constructor(private readonly options: TransportOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new Error(`Invalid API URL '${options.baseUrl}': expected an http(s) URL.`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.origin = base.origin;
  }

  /** One HttpClient per socket timeout; redirects and retries are handled here, not there. */
  private httpClient(timeoutMs: number): HttpClient {
    let client = this.clients.get(timeoutMs);
    if (!client) {
      client = new HttpClient(this.options.userAgent ?? 'airlock', [], {
        allowRedirects: false,
        allowRetries: false,
        socketTimeout: timeoutMs,
      });
      this.clients.set(timeoutMs, client);
    }
    return client;
  }

  /** Sends a call, retrying as its options allow; resolves with a 2xx reply or throws ApiError. */
  async call<T>(call: CallOptions): Promise<Reply<T>> {
    const url = this.resolve(call.path, call.query);
    const path = new URL(url).pathname;
    const idempotent = call.idempotent ?? !['POST', 'PATCH'].includes(call.method);
    const retryStatus = call.retryStatus ?? isRetryableStatus;
    const now = this.options.now ?? Date.now;
    const timing = this.options.timing ?? {};
    let attempts = 0;
    try {
      return await retry(
        async () => {
          attempts++;
          return this.attempt<T>(call, url, path, attempts);
        },
        {
          ...timing,
          retries: call.retries ?? this.options.retries ?? 3,
          shouldRetry: (error) => {
            if (error instanceof ApiError) {
              if (!retryStatus(error.status)) return false;
              if (!idempotent && error.status !== 429) return false;
              return { retryAfterMs: error.retryAfterMs };
            }
            const failure = classifyNetworkError(error);
            if (failure === 'not-sent' || (failure === 'maybe-sent' && idempotent)) return {};
            return false;
          },
          onRetry: (notice) => this.options.onRetry?.({ ...notice, method: call.method, path }),
          now,
        },
      );
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const reason = describeSendFailure(error, url);
      const after = attempts > 1 ? ` [after ${attempts} attempts]` : '';
      throw new Error(`${call.method} ${path}: ${reason}${after}`, { cause: error });
    }
  }

  private resolve(path: string, query: CallOptions['query']): string {
    const url = new URL(
      /^https?:\/\//i.test(path) ? path : this.baseUrl + (path.startsWith('/') ? path : `/${path}`),
    );
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  private async attempt<T>(
    call: CallOptions,
    firstUrl: string,
    path: string,
    attempt: number,
  ): Promise<Reply<T>> {
    let method: Method = call.method;
    let url = firstUrl;
    let withBody = true;
    for (let hop = 0; ; hop++) {
      const res = await this.send(method, url, call, withBody);
      const status = res.message.statusCode ?? 0;
      const location = res.message.headers.location;
      if (REDIRECTS.has(status) && location) {
        await res.readBody();
        if (hop >= MAX_REDIRECTS) throw new Error(`too many redirects (more than ${MAX_REDIRECTS})`);
        ({ url, method, withBody } = followRedirect({ url, method, withBody }, status, location));
        continue;
      }
      const text = await res.readBody();
      if (status >= 200 && status < 300) {
        return { status, headers: res.message.headers, data: parseJson(text) as T };
      }
      throw new ApiError({
        method: call.method,
        path,
        status,
        ...readErrorBody(text, res.message.statusMessage ?? ''),
        attempts: attempt,
        retryAfterMs: parseRetryAfter(
          res.message.headers['retry-after'],
          (this.options.now ?? Date.now)(),
          this.options.timing?.maxRetryAfterMs ?? DEFAULT_TIMING.maxRetryAfterMs,
        ),
      });
    }
  }

  private async send(
    method: Method,
    url: string,
    call: CallOptions,
    withBody: boolean,
  ): Promise<HttpClientResponse> {
    const headers: OutgoingHttpHeaders = { accept: 'application/json', ...lower(call.headers) };
    if (new URL(url).origin === this.origin) Object.assign(headers, await this.credentialHeaders());
    const timeoutMs = call.timeoutMs ?? this.options.timeoutMs ?? 60_000;
    const client = this.httpClient(timeoutMs);
    if (withBody && call.body) {
      headers['content-length'] = call.body.length;
      headers['content-type'] ??= call.body.contentType ?? 'application/octet-stream';
      if (client.userAgent) headers['user-agent'] = client.userAgent;
      // Sent here rather than piped through HttpClient, which takes a stream: see file-body.ts.
      // The agent is still HttpClient's, so the runner's proxy settings apply alike.
      const message = await sendFileRequest(
        { method, url, headers, agent: client.getAgent(url), timeoutMs },
        call.body,
      );
      return new HttpClientResponse(message);
    }
    let data: string | null = null;
    if (withBody && call.json !== undefined) {
      data = JSON.stringify(call.json);
      headers['content-type'] = 'application/json';
    } else if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      data = '';
    }
    return client.request(method, url, data, headers);
  }

  private async credentialHeaders(): Promise<OutgoingHttpHeaders> {
    const token = this.options.getToken ? await this.options.getToken() : this.options.apiKey;
    if (!token) return {};
    return this.options.authScheme === 'bearer'
      ? { authorization: `Bearer ${token}` }
      : { 'x-api-key': token };
  }
}

/** Where a redirect leads, and with which method and body. */
export interface Hop {
  url: string;
  method: Method;
  withBody: boolean;
}

/**
 * The next hop of a redirect. Throws on HTTPS→HTTP. 303, and 301/302 after a POST, become a GET
 * without a body, as browsers do; 307 and 308 repeat the request as it was. Credentials are not
 * decided here: {@link Transport} sends them only to the API's own origin.
 */
export function followRedirect(from: Hop, status: number, location: string): Hop {
  const next = new URL(location, from.url);
  if (new URL(from.url).protocol === 'https:' && next.protocol !== 'https:') {
    throw new Error(
      `refused a redirect from HTTPS to ${next.protocol.replace(':', '').toUpperCase()} (${next.origin})`,
    );
  }
  if (status === 303 || ((status === 301 || status === 302) && from.method === 'POST')) {
    return { url: next.toString(), method: 'GET', withBody: false };
  }
  return { url: next.toString(), method: from.method, withBody: from.withBody };
}

function lower(headers: Record<string, string> | undefined): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
