import { hashKey } from '../../../src/server/domain/access.js';
import { startDevIssuer, type DevIssuer } from '../../../src/server/oidc/dev-issuer.js';
import { addService, auditEvents, call, startOidcServer, type OidcTestServer } from './oidc-helpers.js';

describe('exchanged OIDC tokens', () => {
  let server: OidcTestServer;
  let issuer: DevIssuer;
  let memberKey: string;
  let providerId: string;

  beforeAll(async () => {
    server = await startOidcServer();
    issuer = await startDevIssuer();
    memberKey = (await addService(server, 'deployer', 'Member')).apiKey;
    const res = await call(server, 'POST', '/orgs/acme/openid-connect/', {
      key: server.adminKey,
      body: {
        name: 'CI',
        enabled: true,
        provider_url: issuer.issuer,
        claims: { repository: 'owner/repo' },
        service_accounts: ['deployer'],
      },
    });
    providerId = (res.body as { slug_perm: string }).slug_perm;
  });
  afterAll(async () => {
    await server.close();
    await issuer.close();
  });

  const exchange = async (): Promise<string> => {
    const res = await call(server, 'POST', '/openid/acme/', {
      body: { oidc_token: await issuer.sign({ run_id: '555' }), service_slug: 'deployer' },
    });
    expect(res.status).toBe(200);
    return (res.body as { token: string }).token;
  };
  const tokenIdOf = async (token: string): Promise<string> => {
    const row = await server.ctx.db
      .selectFrom('oidc_tokens')
      .select('id')
      .where('key_hash', '=', hashKey(server.ctx.secret, token))
      .executeTakeFirstOrThrow();
    return row.id;
  };

  it('lists tokens with their identity and expiry but never their secret, to Managers only', async () => {
    const token = await exchange();
    const listed = await call(server, 'GET', '/orgs/acme/openid-connect/tokens/', { key: server.adminKey });
    expect(listed.status).toBe(200);
    const [first] = listed.body as Array<Record<string, unknown>>;
    expect(first).toMatchObject({
      service: 'deployer',
      provider: providerId,
      identity: { repository: 'owner/repo', run_id: '555' },
      revoked_at: null,
    });
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect((await call(server, 'GET', '/orgs/acme/openid-connect/tokens/', { key: memberKey })).status).toBe(
      403,
    );
  });

  it('stores only a keyed hash of the token', async () => {
    const token = await exchange();
    const rows = await server.ctx.db.selectFrom('oidc_tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));
  });

  it('lets a Manager revoke a token, after which it is refused with invalid_token', async () => {
    const token = await exchange();
    const id = await tokenIdOf(token);
    expect((await call(server, 'GET', '/user/self/', { key: token })).status).toBe(200);
    const revoked = await call(server, 'DELETE', `/orgs/acme/openid-connect/tokens/${id}/`, {
      key: server.adminKey,
    });
    expect(revoked.status).toBe(204);
    const self = await call(server, 'GET', '/user/self/', { bearer: token });
    expect(self.status).toBe(401);
    expect(self.body).toMatchObject({ code: 'invalid_token' });
    expect((await auditEvents(server, 'oidc.token_revoked')).at(-1)).toMatchObject({ actor: 'acme-admin' });
    // Revoking again changes nothing.
    expect(
      (await call(server, 'DELETE', `/orgs/acme/openid-connect/tokens/${id}/`, { key: server.adminKey }))
        .status,
    ).toBe(204);
  });

  it('lets a token revoke itself but not another one', async () => {
    const first = await exchange();
    const firstId = await tokenIdOf(first);
    const second = await exchange();
    const secondId = await tokenIdOf(second);
    expect(
      (await call(server, 'DELETE', `/orgs/acme/openid-connect/tokens/${firstId}/`, { key: second })).status,
    ).toBe(403);
    expect(
      (await call(server, 'DELETE', `/orgs/acme/openid-connect/tokens/${secondId}/`, { key: second })).status,
    ).toBe(204);
    expect((await call(server, 'GET', '/user/self/', { key: second })).status).toBe(401);
    expect((await call(server, 'GET', '/user/self/', { key: first })).status).toBe(200);
  });

  it('answers 404 for a token id the org does not have', async () => {
    const res = await call(server, 'DELETE', '/orgs/acme/openid-connect/tokens/nope/', {
      key: server.adminKey,
    });
    expect(res.status).toBe(404);
  });

  it('stops every token of a provider when the provider is deleted', async () => {
    const token = await exchange();
    await call(server, 'DELETE', `/orgs/acme/openid-connect/${providerId}/`, { key: server.adminKey });
    expect((await call(server, 'GET', '/user/self/', { key: token })).status).toBe(401);
    const left = await server.ctx.db.selectFrom('oidc_tokens').select('id').execute();
    expect(left).toEqual([]);
  });
});
