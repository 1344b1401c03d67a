import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import { openSecret } from '../hooks/secrets.js';
import { policyFor } from '../net/address-policy.js';
import { sendOutbound, type OutboundResponse } from '../net/outbound.js';
import {
  findUpstreamDocumentHead,
  listUpstreamRecords,
  readUpstreamDocumentBody,
  saveUpstreamDocument,
  touchUpstreamDocument,
  type UpstreamDocument,
  type UpstreamDocumentHead,
} from '../store/upstreams.js';
import { extraHeadersOf, type UpstreamRow } from './config.js';

/** How upstream documents are fetched and kept; the defaults suit a registry in front of a public one. */
export interface UpstreamTiming {
  /** How long a fetched document is served without asking the upstream again. */
  documentTtlMs: number;
  /** Time for one document request, DNS to last byte; past it the cached copy is served stale. */
  documentDeadlineMs: number;
  /** Time for one artifact download. */
  artifactDeadlineMs: number;
  /** Largest document read from an upstream (big packuments run to tens of MB). */
  maxDocumentBytes: number;
}

/** The timing used unless a caller passes its own. */
export const DEFAULT_TIMING: UpstreamTiming = {
  documentTtlMs: 5 * 60_000,
  documentDeadlineMs: 10_000,
  artifactDeadlineMs: 5 * 60_000,
  maxDocumentBytes: 64 * 1024 * 1024,
};

/** A document as served from one upstream. */
export interface FetchedDocument {
  upstream: UpstreamRow;
  /** Which document it is: the digest of its body, known without reading the body. */
  digest: string;
  /**
   * Its body, with the digest of what was read: read from the cache only when asked for (a
   * caller that keeps what it made of a body by its digest seldom needs it). The digest differs
   * from {@link digest} when another request replaced the cached copy in between.
   */
  read(): Promise<{ body: string; digest: string }>;
  /** True when the upstream could not be asked and an expired copy is served. */
  stale: boolean;
  /** True when this request downloaded the document anew (not a cached copy or a 304). */
  fetchedNow?: boolean;
  /** Why the cached copy is stale (the upstream's failure), when it is. */
  staleReason?: string;
}

/** The headers every request to an upstream carries: its credentials and extra headers. */
export function upstreamHeaders(ctx: ServiceContext, upstream: UpstreamRow): Record<string, string> {
  const headers: Record<string, string> = { 'User-Agent': 'airlock-upstream' };
  for (const h of extraHeadersOf(upstream)) headers[h.name] = h.value;
  if (upstream.auth_secret) {
    const secret = openSecret(ctx.secret, upstream.auth_secret);
    headers.Authorization =
      upstream.auth_mode === 'Username and Password'
        ? `Basic ${Buffer.from(`${upstream.auth_username ?? ''}:${secret}`).toString('base64')}`
        : `Bearer ${secret}`;
  }
  return headers;
}

/** The active upstreams of a repository for a format, in the order they are asked. */
export async function activeUpstreams(
  ctx: ServiceContext,
  repoId: string,
  format: string,
): Promise<UpstreamRow[]> {
  return (await listUpstreamRecords(ctx, repoId, format)).filter((u) => u.is_active === 1);
}

/** An absolute URL under an upstream's base URL. */
export function upstreamUrl(upstream: UpstreamRow, path: string): string {
  return `${upstream.upstream_url}/${path.replace(/^\/+/, '')}`;
}

function header(res: OutboundResponse, name: string): string | null {
  const v = res.headers[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

type Outcome =
  { kind: 'found'; doc: FetchedDocument } | { kind: 'missing' } | { kind: 'failed'; reason: string };

/** A cached copy as found: its body read from the store only when a caller asks for it. */
function cachedCopy(
  ctx: ServiceContext,
  upstream: UpstreamRow,
  key: string,
  head: UpstreamDocumentHead,
  flags: { stale: boolean; staleReason?: string },
): FetchedDocument {
  return {
    upstream,
    digest: head.digest,
    ...flags,
    read: async () => {
      const now = await readUpstreamDocumentBody(ctx, upstream.id, key);
      if (!now) {
        throw new ServiceError(
          'upstream_failed',
          `The cached copy of '${key}' from upstream '${upstream.name}' was removed while it was read; try again.`,
        );
      }
      return now;
    },
  };
}

async function askOne(
  ctx: ServiceContext,
  upstream: UpstreamRow,
  key: string,
  path: string,
  accept: string,
  timing: UpstreamTiming,
): Promise<Outcome> {
  const cached = await findUpstreamDocumentHead(ctx, upstream.id, key);
  const now = ctx.clock();
  if (cached && now.getTime() - Date.parse(cached.fetchedAt) < timing.documentTtlMs) {
    return { kind: 'found', doc: cachedCopy(ctx, upstream, key, cached, { stale: false }) };
  }
  const headers: Record<string, string> = { ...upstreamHeaders(ctx, upstream), Accept: accept };
  if (cached?.etag) headers['If-None-Match'] = cached.etag;
  if (cached?.lastModified) headers['If-Modified-Since'] = cached.lastModified;
  let res: OutboundResponse;
  try {
    res = await sendOutbound(policyFor(ctx.config.outbound.allow), {
      url: upstreamUrl(upstream, path),
      method: 'GET',
      headers,
      deadlineMs: timing.documentDeadlineMs,
      maxBodyBytes: timing.maxDocumentBytes,
      verifyTls: upstream.verify_ssl === 1,
    });
  } catch (err) {
    return staleOrFailed(ctx, upstream, key, cached, err instanceof Error ? err.message : String(err));
  }
  if (res.status === 304 && cached) {
    await touchUpstreamDocument(ctx, upstream.id, key, now.toISOString());
    return { kind: 'found', doc: cachedCopy(ctx, upstream, key, cached, { stale: false }) };
  }
  if (res.status === 404 || res.status === 410) return { kind: 'missing' };
  if (res.status !== 200 || res.truncated) {
    const reason = res.truncated
      ? `the answer is larger than ${timing.maxDocumentBytes} bytes`
      : `it answered HTTP ${res.status}`;
    return staleOrFailed(ctx, upstream, key, cached, reason);
  }
  const doc: UpstreamDocument = {
    body: res.body.toString('utf8'),
    etag: header(res, 'etag'),
    lastModified: header(res, 'last-modified'),
    fetchedAt: now.toISOString(),
  };
  const digest = await saveUpstreamDocument(ctx, upstream.id, key, doc);
  const read = async () => ({ body: doc.body, digest });
  return { kind: 'found', doc: { upstream, digest, read, stale: false, fetchedNow: true } };
}

function staleOrFailed(
  ctx: ServiceContext,
  upstream: UpstreamRow,
  key: string,
  cached: UpstreamDocumentHead | undefined,
  reason: string,
): Outcome {
  if (!cached) {
    ctx.log.warn({ upstream: upstream.id, url: upstream.upstream_url, key, reason }, 'upstream failed');
    return { kind: 'failed', reason: `${upstream.name}: ${reason}` };
  }
  ctx.log.warn(
    { upstream: upstream.id, url: upstream.upstream_url, key, reason, fetchedAt: cached.fetchedAt },
    'upstream failed; serving the cached copy stale',
  );
  return {
    kind: 'found',
    doc: cachedCopy(ctx, upstream, key, cached, { stale: true, staleReason: reason }),
  };
}

/**
 * A document (`key` names it in the cache, `path` locates it under each upstream's URL) from
 * the first of the upstreams, in priority order, that has it. A fresh cached copy is served as
 * it is; an expired one is revalidated (If-None-Match / If-Modified-Since); an upstream that is
 * down, slow or failing serves its expired copy, flagged stale. Null when no upstream has the
 * document; `upstream_failed` when none could be asked and nothing was cached.
 */
export async function fetchDocument(
  ctx: ServiceContext,
  upstreams: readonly UpstreamRow[],
  key: string,
  path: string,
  accept: string,
  timing: UpstreamTiming = DEFAULT_TIMING,
): Promise<FetchedDocument | null> {
  const failures: string[] = [];
  for (const upstream of upstreams) {
    const outcome = await askOne(ctx, upstream, key, path, accept, timing);
    if (outcome.kind === 'found') return outcome.doc;
    if (outcome.kind === 'failed') failures.push(outcome.reason);
  }
  if (failures.length > 0) {
    throw new ServiceError(
      'upstream_failed',
      `No upstream could be asked for '${key}' and nothing is cached: ${failures.join('; ')}.`,
    );
  }
  return null;
}
