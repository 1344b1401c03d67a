import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { startDevIssuer, type DevIssuer } from '../../../src/server/oidc/dev-issuer.js';
import { KeySetCache } from '../../../src/server/oidc/key-sets.js';
import { OidcRefusal } from '../../../src/server/oidc/refusal.js';
import { LOOPBACK_CIDRS, OutboundPolicy } from '../../../src/server/net/address-policy.js';
import { sendOutbound } from '../../../src/server/net/outbound.js';

const LOOPBACK = new OutboundPolicy(LOOPBACK_CIDRS);

/** A key cache over a fetch that counts requests, with a clock the test moves. */
function countingCache(options: Partial<ConstructorParameters<typeof KeySetCache>[0]> = {}) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const fetched: string[] = [];
  const cache = new KeySetCache({
    clock: () => new Date(now),
    allowLoopback: true,
    send: async (request) => {
      fetched.push(request.url);
      return sendOutbound(LOOPBACK, request);
    },
    ...options,
  });
  return {
    cache,
    fetched,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** A loopback server answering every request with `handler`. */
async function startServer(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const reasonOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (err) {
    if (err instanceof OidcRefusal) return err.reason;
    throw err;
  }
  throw new Error('expected a refusal');
};

describe('the OIDC key-set cache', () => {
  let issuer: DevIssuer;
  beforeAll(async () => {
    issuer = await startDevIssuer();
  });
  afterAll(async () => issuer.close());

  const verify = async (cache: KeySetCache, token: string) => {
    const { issuer: iss, getKey } = await cache.keysFor(issuer.issuer);
    return jwtVerify(token, getKey, { issuer: iss });
  };

  it('fetches discovery and keys once, then verifies from the cache', async () => {
    const { cache, fetched } = countingCache();
    for (let i = 0; i < 3; i++) await verify(cache, await issuer.sign({}));
    expect(fetched).toEqual([
      `${issuer.issuer}/.well-known/openid-configuration`,
      `${issuer.issuer}/.well-known/jwks`,
    ]);
  });

  it('treats a provider URL with a trailing slash as the same issuer', async () => {
    const { cache, fetched } = countingCache();
    await cache.keysFor(issuer.issuer + '/');
    const { issuer: iss } = await cache.keysFor(issuer.issuer);
    expect(iss).toBe(issuer.issuer);
    expect(fetched).toHaveLength(2);
  });

  it('refetches once for an unknown kid, and not again within the refetch interval', async () => {
    const { cache, fetched, advance } = countingCache();
    await verify(cache, await issuer.sign({}));
    advance(30_000);
    expect(await reasonOf(verify(cache, await issuer.sign({}, { kid: 'unknown' })))).toBe('unknown_key');
    expect(fetched).toHaveLength(4);
    expect(await reasonOf(verify(cache, await issuer.sign({}, { kid: 'unknown-2' })))).toBe('unknown_key');
    expect(fetched).toHaveLength(4);
  });

  it('picks up a rotated key with one refetch', async () => {
    const rotating = await startDevIssuer();
    try {
      const { cache, fetched, advance } = countingCache();
      const { getKey } = await cache.keysFor(rotating.issuer);
      await jwtVerify(await rotating.sign({}), getKey);
      await rotating.rotateKey();
      advance(30_000);
      const fresh = await cache.keysFor(rotating.issuer);
      await expect(jwtVerify(await rotating.sign({}), fresh.getKey)).resolves.toBeDefined();
      expect(fetched.filter((u) => u.endsWith('/jwks'))).toHaveLength(2);
    } finally {
      await rotating.close();
    }
  });

  it('refreshes keys past their maximum age, and keeps the cached ones when the issuer is down', async () => {
    const shortLived = await startDevIssuer();
    const { cache, fetched, advance } = countingCache({ maxAgeMs: 60_000 });
    const token = await shortLived.sign({});
    let { getKey } = await cache.keysFor(shortLived.issuer);
    await jwtVerify(token, getKey);
    advance(60_000);
    ({ getKey } = await cache.keysFor(shortLived.issuer));
    expect(fetched).toHaveLength(4);
    await shortLived.close();
    advance(60_000);
    ({ getKey } = await cache.keysFor(shortLived.issuer));
    expect(fetched).toHaveLength(5);
    await expect(jwtVerify(token, getKey)).resolves.toBeDefined();
  });

  it('refuses a discovery document that names another issuer', async () => {
    const liar = await startServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          issuer: 'https://elsewhere.example.com',
          jwks_uri: `${issuer.issuer}/.well-known/jwks`,
        }),
      );
    });
    try {
      expect(await reasonOf(countingCache().cache.keysFor(liar.url))).toBe('issuer_mismatch');
    } finally {
      await liar.close();
    }
  });

  it('gives up on an issuer that does not answer in time', async () => {
    const silent = await startServer(() => undefined);
    try {
      const { cache } = countingCache({ timeoutMs: 200 });
      expect(await reasonOf(cache.keysFor(silent.url))).toBe('discovery_failed');
    } finally {
      await silent.close();
    }
  });

  it('refuses a discovery document larger than the limit', async () => {
    const big = await startServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: 'x', padding: 'x'.repeat(10_000) }));
    });
    try {
      const { cache } = countingCache({ maxBytes: 1024 });
      expect(await reasonOf(cache.keysFor(big.url))).toBe('discovery_failed');
    } finally {
      await big.close();
    }
  });

  it('does not follow redirects', async () => {
    const redirecting = await startServer((_req, res) => {
      res.writeHead(302, { location: `${issuer.issuer}/.well-known/openid-configuration` }).end();
    });
    try {
      expect(await reasonOf(countingCache().cache.keysFor(redirecting.url))).toBe('discovery_failed');
    } finally {
      await redirecting.close();
    }
  });

  it('does not try an issuer again for a few seconds after a first fetch failed', async () => {
    const broken = await startServer((_req, res) => {
      res.writeHead(500).end();
    });
    try {
      const { cache, fetched, advance } = countingCache();
      expect(await reasonOf(cache.keysFor(broken.url))).toBe('discovery_failed');
      expect(await reasonOf(cache.keysFor(broken.url))).toBe('discovery_failed');
      expect(fetched).toHaveLength(1);
      advance(5000);
      expect(await reasonOf(cache.keysFor(broken.url))).toBe('discovery_failed');
      expect(fetched).toHaveLength(2);
    } finally {
      await broken.close();
    }
  });

  it('fetches nothing over http unless loopback issuers are allowed', async () => {
    const { cache, fetched } = countingCache({ allowLoopback: false });
    expect(await reasonOf(cache.keysFor(issuer.issuer))).toBe('discovery_failed');
    expect(fetched).toEqual([]);
  });
});
