import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { canonicalHost, OutboundRefusal, type OutboundPolicy } from './address-policy.js';

/** Resolves a host name to every address it has (the system resolver by default). */
export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/** The system resolver, as `dns.lookup` sees names (hosts file included), every address. */
export const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true });

/** Where a checked request goes: the URL and the one address it connects to. */
export interface OutboundTarget {
  url: URL;
  /** The host as written in the URL, without brackets. */
  host: string;
  /** The checked address the connection is made to. */
  address: string;
}

/**
 * Resolves a URL's host and checks every address it resolves to (and the name itself) against
 * the policy. Throws {@link OutboundRefusal} when any is refused, and a plain Error when the URL
 * is unusable or the name does not resolve.
 */
export async function resolveTarget(
  policy: OutboundPolicy,
  text: string,
  resolve: Resolver = systemResolver,
): Promise<OutboundTarget> {
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`only http and https URLs are fetched, not ${url.protocol.replace(/:$/, '')}`);
  const host = canonicalHost(url.hostname);
  if (net.isIP(host) !== 0) {
    const problem = policy.addressProblem(host, null);
    if (problem) throw problem;
    return { url, host, address: host };
  }
  const named = policy.nameProblem(host);
  if (named) throw named;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await resolve(host);
  } catch (err) {
    throw new Error(
      `cannot resolve ${host}: ${err instanceof Error && 'code' in err ? String(err.code) : String(err)}`,
    );
  }
  if (addresses.length === 0) throw new Error(`cannot resolve ${host}: no addresses`);
  // Every address counts: a name with one public and one internal address is refused, since
  // which one a connection gets is not ours to choose reliably.
  for (const { address } of addresses) {
    const problem = policy.addressProblem(address, host);
    if (problem) throw problem;
  }
  return { url, host, address: addresses[0]!.address };
}

/**
 * Checks a URL an Admin is configuring: the refusal when its host is (or already resolves to) an
 * address the policy refuses, null otherwise — a name that does not resolve yet is accepted and
 * checked again at every connection.
 */
export async function configuredUrlRefusal(
  policy: OutboundPolicy,
  text: string,
  resolve: Resolver = systemResolver,
  lookupMs = CONFIGURE_LOOKUP_MS,
): Promise<OutboundRefusal | null> {
  let timer: NodeJS.Timeout | undefined;
  // A slow resolver must not hold up the API call: the name is checked at every connection anyway.
  const slow = new Promise<null>((done) => {
    timer = setTimeout(() => done(null), lookupMs);
    timer.unref();
  });
  const checked = resolveTarget(policy, text, resolve).then(
    () => null,
    (err: unknown) => (err instanceof OutboundRefusal ? err : null),
  );
  try {
    return await Promise.race([checked, slow]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long checking a URL being configured waits for DNS. */
const CONFIGURE_LOOKUP_MS = 3000;

/** One outbound request. Redirects are never followed: a 3xx is returned as it is. */
export interface OutboundRequest {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Time for the whole exchange, DNS to last byte read; past it the connection is dropped. */
  deadlineMs: number;
  /** Most bytes of the answer read; the rest is not read and the connection is closed. */
  maxBodyBytes: number;
  /** Aborts the request (shutdown). */
  signal?: AbortSignal;
  /** Check the receiver's TLS certificate (default true). */
  verifyTls?: boolean;
}

/** The answer: status, headers and at most `maxBodyBytes` of the body. */
export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** True when the answer was longer than `maxBodyBytes` and was cut. */
  truncated: boolean;
}

/** Sends outbound requests under a policy; injectable so tests can count or stand in. */
export type OutboundSend = (request: OutboundRequest) => Promise<OutboundResponse>;

/** A sender bound to a policy and a resolver. */
export function outboundSender(policy: OutboundPolicy, resolve: Resolver = systemResolver): OutboundSend {
  return (request) => sendOutbound(policy, request, resolve);
}

/** The error a request aborted by its signal rejects with. */
export class OutboundAborted extends Error {
  override name = 'OutboundAborted';
}

/**
 * Sends one request to a checked address. The host is resolved once, every address checked,
 * and the connection made to the checked address (the URL's host goes in the Host header and
 * TLS server name), so a DNS answer that changes between check and connect cannot redirect it.
 * Throws {@link OutboundRefusal} before connecting when the target is refused,
 * {@link OutboundAborted} when `signal` aborts, and an Error for network failures and the deadline.
 */
export async function sendOutbound(
  policy: OutboundPolicy,
  request: OutboundRequest,
  resolve: Resolver = systemResolver,
): Promise<OutboundResponse> {
  const { signal } = request;
  if (signal?.aborted) throw new OutboundAborted('aborted before sending');
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), request.deadlineMs);
  timer.unref();
  try {
    const target = await withAbort(
      resolveTarget(policy, request.url, resolve),
      deadline.signal,
      signal,
      request,
    );
    return await exchange(target, request, deadline.signal);
  } finally {
    clearTimeout(timer);
  }
}

function deadlineError(request: OutboundRequest): Error {
  return new Error(`no complete answer within ${formatMs(request.deadlineMs)}`);
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

async function withAbort<T>(
  work: Promise<T>,
  deadline: AbortSignal,
  signal: AbortSignal | undefined,
  request: OutboundRequest,
): Promise<T> {
  let cleanup = (): void => undefined;
  const stopped = new Promise<never>((_resolve, reject) => {
    const onDeadline = (): void => reject(deadlineError(request));
    const onAbort = (): void => reject(new OutboundAborted('aborted'));
    deadline.addEventListener('abort', onDeadline, { once: true });
    signal?.addEventListener('abort', onAbort, { once: true });
    cleanup = () => {
      deadline.removeEventListener('abort', onDeadline);
      signal?.removeEventListener('abort', onAbort);
    };
  });
  try {
    return await Promise.race([work, stopped]);
  } finally {
    cleanup();
  }
}

function exchange(
  target: OutboundTarget,
  request: OutboundRequest,
  deadline: AbortSignal,
): Promise<OutboundResponse> {
  const { url } = target;
  const secure = url.protocol === 'https:';
  const client = secure ? https : http;
  const headers: Record<string, string> = { ...request.headers, Host: url.host };
  if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
  return new Promise<OutboundResponse>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      deadline.removeEventListener('abort', onDeadline);
      request.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const req = client.request({
      method: request.method,
      host: target.address,
      port: url.port || (secure ? 443 : 80),
      path: url.pathname + url.search,
      headers,
      setHost: false,
      // A fresh connection per request: a pooled one could be to an address checked for another name.
      agent: false,
      ...(secure
        ? {
            servername: net.isIP(target.host) !== 0 ? undefined : target.host,
            rejectUnauthorized: request.verifyTls !== false,
          }
        : {}),
    });
    const onDeadline = (): void => {
      const err = deadlineError(request);
      req.destroy(err);
      finish(() => reject(err));
    };
    const onAbort = (): void => {
      const err = new OutboundAborted('aborted');
      req.destroy(err);
      finish(() => reject(err));
    };
    deadline.addEventListener('abort', onDeadline, { once: true });
    request.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish(() => reject(err)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (truncated: boolean): void =>
        finish(() =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks, Math.min(size, request.maxBodyBytes)),
            truncated,
          }),
        );
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = request.maxBodyBytes - size;
        chunks.push(chunk.subarray(0, Math.max(0, room)));
        size += chunk.length;
        if (size > request.maxBodyBytes) {
          // Enough was read: the rest is never pulled off the socket.
          done(true);
          res.destroy();
          req.destroy();
        }
      });
      res.on('end', () => done(false));
      res.on('error', (err) => finish(() => reject(err)));
      res.on('close', () => {
        if (!res.complete) finish(() => reject(new Error('the answer was cut off')));
      });
    });
    req.end(request.body);
  });
}

export { OutboundRefusal };

/** An answer whose body is read as a stream (artifacts too large to hold in memory). */
export interface OutboundStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body; destroyed with an error when the deadline passes before it ends. */
  body: http.IncomingMessage;
}

/**
 * Sends one GET to a checked address, as {@link sendOutbound} does, and hands back the body as a
 * stream once the headers are in. The deadline covers the whole exchange: a body still flowing
 * when it passes is destroyed with an error, so a reader never waits past it.
 */
export async function openOutboundStream(
  policy: OutboundPolicy,
  request: Omit<OutboundRequest, 'maxBodyBytes' | 'body' | 'method'>,
  resolve: Resolver = systemResolver,
): Promise<OutboundStream> {
  const full = { ...request, method: 'GET' as const, maxBodyBytes: 0 };
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), request.deadlineMs);
  timer.unref();
  let handedOver = false;
  try {
    const target = await withAbort(
      resolveTarget(policy, request.url, resolve),
      deadline.signal,
      request.signal,
      full,
    );
    const { url } = target;
    const secure = url.protocol === 'https:';
    const client = secure ? https : http;
    const res = await withAbort(
      new Promise<http.IncomingMessage>((done, fail) => {
        const req = client.request({
          method: 'GET',
          host: target.address,
          port: url.port || (secure ? 443 : 80),
          path: url.pathname + url.search,
          headers: { ...request.headers, Host: url.host },
          setHost: false,
          agent: false,
          ...(secure
            ? {
                servername: net.isIP(target.host) !== 0 ? undefined : target.host,
                rejectUnauthorized: request.verifyTls !== false,
              }
            : {}),
        });
        req.on('error', fail);
        req.on('response', done);
        const stop = (): void => void req.destroy(deadlineError(full));
        deadline.signal.addEventListener('abort', stop, { once: true });
        request.signal?.addEventListener('abort', () => req.destroy(new OutboundAborted('aborted')), {
          once: true,
        });
        req.end();
      }),
      deadline.signal,
      request.signal,
      full,
    );
    deadline.signal.addEventListener('abort', () => res.destroy(deadlineError(full)), { once: true });
    res.once('close', () => clearTimeout(timer));
    handedOver = true;
    return { status: res.statusCode ?? 0, headers: res.headers, body: res };
  } finally {
    if (!handedOver) clearTimeout(timer);
  }
}
