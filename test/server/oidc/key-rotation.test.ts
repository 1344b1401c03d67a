import { EXCHANGE_REFUSED_DETAIL } from '../../../src/server/oidc/exchange.js';
import { startDevIssuer, type DevIssuer } from '../../../src/server/oidc/dev-issuer.js';
import { addService, auditEvents, call, startOidcServer, type OidcTestServer } from './oidc-helpers.js';

describe('OIDC key rotation through the exchange', () => {
  let server: OidcTestServer;
  const issuers: DevIssuer[] = [];

  beforeAll(async () => {
    server = await startOidcServer();
    await addService(server, 'deployer', 'Member');
  });
  afterAll(async () => {
    await server.close();
    for (const i of issuers) await i.close();
  });

  /** A fresh issuer (so a fresh key cache entry) trusted by acme for `deployer`. */
  const trustNewIssuer = async (): Promise<DevIssuer> => {
    const issuer = await startDevIssuer();
    issuers.push(issuer);
    const res = await call(server, 'POST', '/orgs/acme/openid-connect/', {
      key: server.adminKey,
      body: {
        name: `CI ${issuers.length}`,
        enabled: true,
        provider_url: issuer.issuer,
        claims: { repository_owner: 'owner' },
        service_accounts: ['deployer'],
      },
    });
    expect(res.status).toBe(201);
    return issuer;
  };
  const exchange = async (oidcToken: string) =>
    call(server, 'POST', '/openid/acme/', { body: { oidc_token: oidcToken, service_slug: 'deployer' } });
  const lastReason = async (): Promise<unknown> =>
    (await auditEvents(server, 'oidc.exchange_refused')).at(-1)?.context.reason;

  it('refuses a token whose kid is still unknown after the refetch', async () => {
    const issuer = await trustNewIssuer();
    expect((await exchange(await issuer.sign({}))).status).toBe(200);
    server.advance(31);
    const res = await exchange(await issuer.sign({}, { kid: 'no-such-key' }));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: EXCHANGE_REFUSED_DETAIL, code: 'oidc_rejected' });
    expect(await lastReason()).toBe('unknown_key');
  });

  it('accepts a rotated key after one refetch, but not sooner than the refetch interval allows', async () => {
    const issuer = await trustNewIssuer();
    expect((await exchange(await issuer.sign({}))).status).toBe(200);
    await issuer.rotateKey();
    // Keys were fetched moments ago: an unknown kid does not make the service fetch them again yet.
    const early = await exchange(await issuer.sign({}));
    expect(early.status).toBe(401);
    expect(await lastReason()).toBe('unknown_key');
    server.advance(31);
    const later = await exchange(await issuer.sign({}));
    expect(later.status).toBe(200);
    // The old key is gone from the fetched set.
    const old = await exchange(await issuer.sign({}, { kid: 'stale' }));
    expect(old.status).toBe(401);
  });
});
