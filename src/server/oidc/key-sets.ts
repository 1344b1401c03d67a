import type { FastifyBaseLogger } from 'fastify';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../domain/ids.js';
import { LOOPBACK_CIDRS, OutboundPolicy } from '../net/address-policy.js';
import { OutboundRefusal, outboundSender, type OutboundSend } from '../net/outbound.js';
import { issuerUrlProblem, normalizeIssuer } from './issuer-url.js';
import { OidcRefusal } from './refusal.js';

/** Tunables of the key-set cache; every one has a default. */
export interface KeySetCacheOptions {
  clock: Clock;
  /** Accept `http` issuers and JWKS URLs on loopback addresses. */
  allowLoopback: boolean;
  log?: FastifyBaseLogger;
  /**
   * Sends the discovery and JWKS requests (default: a sender under `policy`, or, without one,
   * under a policy that allows only loopback and only when `allowLoopback` is set).
   */
  send?: OutboundSend;
  /** The outbound address rules issuer fetches follow. */
  policy?: OutboundPolicy;
  /** Time limit of one discovery or JWKS request. */
  timeoutMs?: number;
  /** Largest discovery document or key set read, in bytes. */
  maxBytes?: number;
  /** Least time between two fetches for one issuer when a token names an unknown `kid`. */
  refetchIntervalMs?: number;
  /** Age after which an issuer's keys are fetched again before use. */
  maxAgeMs?: number;
  /** Most issuers kept; the least recently fetched is dropped first. */
  maxIssuers?: number;
}

interface IssuerKeys {
  /** The issuer exactly as its discovery document states it: what `iss` must equal. */
  issuer: string;
  getKey: ReturnType<typeof createLocalJWKSet>;
  /** When the keys were last fetched (or a fetch last failed), in ms. */
  attemptedAt: number;
  fetchedAt: number;
}

const MAX_KEYS = 100;
const FAILED_FETCH_BACKOFF_MS = 5000;

/**
 * Discovery documents and JSON Web Key Sets of trusted issuers, fetched on first use and cached
 * per issuer. A token whose `kid` is not in the cached set triggers one refetch, at most once per
 * `refetchIntervalMs` per issuer, so key rotation is picked up without letting callers make the
 * service hammer an issuer. Fetches have a time limit and a size limit and never follow redirects.
 */
export class KeySetCache {
  private readonly entries = new Map<string, IssuerKeys>();
  private readonly pending = new Map<string, Promise<IssuerKeys>>();
  /** When a first fetch for an issuer last failed: it is not tried again for a few seconds. */
  private readonly failedAt = new Map<string, number>();
  private readonly send: OutboundSend;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly refetchIntervalMs: number;
  private readonly maxAgeMs: number;
  private readonly maxIssuers: number;

  constructor(private readonly options: KeySetCacheOptions) {
    this.send =
      options.send ??
      outboundSender(options.policy ?? new OutboundPolicy(options.allowLoopback ? LOOPBACK_CIDRS : []));
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxBytes = options.maxBytes ?? 512 * 1024;
    this.refetchIntervalMs = options.refetchIntervalMs ?? 30_000;
    this.maxAgeMs = options.maxAgeMs ?? 3600_000;
    this.maxIssuers = options.maxIssuers ?? 1000;
  }

  /**
   * The issuer's exact `iss` and a key getter for jose's `jwtVerify`; fetches discovery and keys
   * when they are not cached or are older than `maxAgeMs` (stale keys are kept if that fails).
   */
  async keysFor(providerUrl: string): Promise<{ issuer: string; getKey: JWTVerifyGetKey }> {
    const id = normalizeIssuer(providerUrl);
    let entry = this.entries.get(id);
    const now = this.options.clock().getTime();
    if (!entry) {
      const failed = this.failedAt.get(id);
      if (failed !== undefined && now - failed < FAILED_FETCH_BACKOFF_MS) {
        throw new OidcRefusal('discovery_failed', `fetching keys for ${providerUrl} failed moments ago`);
      }
      entry = await this.refresh(id, providerUrl);
    } else if (now - entry.fetchedAt >= this.maxAgeMs && now - entry.attemptedAt >= this.refetchIntervalMs) {
      const stale = entry;
      entry = await this.refresh(id, providerUrl).catch((err: unknown) => {
        this.options.log?.warn(
          { issuer: providerUrl, err: String(err) },
          'OIDC key refresh failed; using cached keys',
        );
        return stale;
      });
    }
    const first = entry;
    const getKey: JWTVerifyGetKey = async (header, token) => {
      try {
        return await first.getKey(header, token);
      } catch (err) {
        if (!(err instanceof errors.JWKSNoMatchingKey)) throw mapKeyError(err);
        const current = this.entries.get(id) ?? first;
        if (this.options.clock().getTime() - current.attemptedAt < this.refetchIntervalMs) {
          // Another request may have refetched since this one started: try its keys too.
          if (current !== first)
            return current.getKey(header, token).catch((e: unknown) => Promise.reject(mapKeyError(e)));
          throw new OidcRefusal(
            'unknown_key',
            `no key with kid '${String(header.kid)}' (refetch rate-limited)`,
          );
        }
        const fresh = await this.refresh(id, providerUrl);
        return fresh.getKey(header, token).catch((e: unknown) => Promise.reject(mapKeyError(e)));
      }
    };
    return { issuer: first.issuer, getKey };
  }

  private refresh(id: string, providerUrl: string): Promise<IssuerKeys> {
    const inFlight = this.pending.get(id);
    if (inFlight) return inFlight;
    const started = this.options.clock().getTime();
    const job = this.fetchKeys(providerUrl, started)
      .then((entry) => {
        this.failedAt.delete(id);
        this.entries.delete(id);
        this.entries.set(id, entry);
        if (this.entries.size > this.maxIssuers) this.entries.delete(this.entries.keys().next().value!);
        return entry;
      })
      .catch((err: unknown) => {
        // A failed attempt counts towards the rate limit too, so a dead issuer is not hammered.
        const old = this.entries.get(id);
        if (old) old.attemptedAt = started;
        else this.rememberFailure(id, started);
        throw err;
      })
      .finally(() => this.pending.delete(id));
    this.pending.set(id, job);
    return job;
  }

  private rememberFailure(id: string, at: number): void {
    this.failedAt.set(id, at);
    if (this.failedAt.size > this.maxIssuers) this.failedAt.delete(this.failedAt.keys().next().value!);
  }

  private async fetchKeys(providerUrl: string, at: number): Promise<IssuerKeys> {
    const discoveryUrl = `${normalizeIssuer(providerUrl)}/.well-known/openid-configuration`;
    const doc = await this.fetchJson(discoveryUrl, 'discovery_failed');
    const issuer = (doc as { issuer?: unknown }).issuer;
    if (typeof issuer !== 'string' || normalizeIssuer(issuer) !== normalizeIssuer(providerUrl)) {
      throw new OidcRefusal(
        'issuer_mismatch',
        `discovery document at ${discoveryUrl} names issuer '${String(issuer)}', not '${providerUrl}'`,
      );
    }
    const jwksUri = (doc as { jwks_uri?: unknown }).jwks_uri;
    if (typeof jwksUri !== 'string') {
      throw new OidcRefusal('discovery_failed', `discovery document at ${discoveryUrl} has no jwks_uri`);
    }
    const jwks = await this.fetchJson(jwksUri, 'jwks_failed');
    const keys = (jwks as { keys?: unknown }).keys;
    if (!Array.isArray(keys) || keys.length > MAX_KEYS) {
      throw new OidcRefusal('jwks_failed', `key set at ${jwksUri} is not a JWKS of at most ${MAX_KEYS} keys`);
    }
    let getKey: ReturnType<typeof createLocalJWKSet>;
    try {
      getKey = createLocalJWKSet(jwks as JSONWebKeySet);
    } catch (err) {
      throw new OidcRefusal('jwks_failed', `key set at ${jwksUri} is malformed: ${String(err)}`);
    }
    this.options.log?.debug({ issuer, keys: keys.length }, 'fetched OIDC keys');
    return { issuer, getKey, attemptedAt: at, fetchedAt: at };
  }

  private async fetchJson(url: string, reason: 'discovery_failed' | 'jwks_failed'): Promise<unknown> {
    const problem = issuerUrlProblem(url.split('?')[0]!, this.options.allowLoopback);
    if (problem) throw new OidcRefusal(reason, `refusing to fetch ${url}: ${problem}`);
    let text: string;
    try {
      const res = await this.send({
        url,
        method: 'GET',
        headers: { accept: 'application/json' },
        deadlineMs: this.timeoutMs,
        maxBodyBytes: this.maxBytes,
      });
      if (res.status !== 200) throw new Error(`answered HTTP ${res.status}`);
      if (res.truncated) throw new Error(`body exceeds ${this.maxBytes} bytes`);
      text = res.body.toString('utf8');
    } catch (err) {
      // A refused address is refused before connecting, with a text that is the same whether
      // anything listens there or not: the audit log must not tell an org whether it answered.
      if (err instanceof OutboundRefusal)
        throw new OidcRefusal(reason, `refusing to fetch ${url}: ${err.reason}`);
      throw new OidcRefusal(
        reason,
        `fetching ${url} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    try {
      const value = JSON.parse(text) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value)) return value;
    } catch {
      // reported below
    }
    throw new OidcRefusal(reason, `${url} did not answer with a JSON object`);
  }
}

function mapKeyError(err: unknown): unknown {
  if (err instanceof errors.JWKSNoMatchingKey)
    return new OidcRefusal('unknown_key', 'no matching key after refetch');
  if (err instanceof errors.JWKSMultipleMatchingKeys)
    return new OidcRefusal('unknown_key', 'token has no kid and several keys match');
  return err;
}
