import { startDevIssuer, type DevIssuer } from '../../../src/server/oidc/dev-issuer.js';
import { addService, auditEvents, call, startOidcServer, type OidcTestServer } from './oidc-helpers.js';

describe('tokens whose trust is taken away', () => {
  let server: OidcTestServer;
  let issuer: DevIssuer;
  let providerId: string;
  const providerPath = (): string => `/orgs/acme/openid-connect/${providerId}/`;

  beforeAll(async () => {
    server = await startOidcServer();
    issuer = await startDevIssuer();
    await addService(server, 'deployer', 'Member');
    await addService(server, 'publisher', 'Member');
    const res = await call(server, 'POST', '/orgs/acme/openid-connect/', {
      key: server.adminKey,
      body: {
        name: 'CI',
        enabled: true,
        provider_url: issuer.issuer,
        claims: { repository: 'owner/repo' },
        service_accounts: ['deployer', 'publisher'],
      },
    });
    expect(res.status).toBe(201);
    providerId = (res.body as { slug_perm: string }).slug_perm;
  });
  afterAll(async () => {
    await server.close();
    await issuer.close();
  });

  const exchange = async (service: string): Promise<string> => {
    const res = await call(server, 'POST', '/openid/acme/', {
      body: { oidc_token: await issuer.sign({ run_id: '777' }), service_slug: service },
    });
    expect(res.status).toBe(200);
    return (res.body as { token: string }).token;
  };
  const works = async (token: string): Promise<number> =>
    (await call(server, 'GET', '/user/self/', { key: token })).status;
  const patchProvider = async (body: Record<string, unknown>): Promise<void> => {
    const res = await call(server, 'PATCH', providerPath(), { key: server.adminKey, body });
    expect(res.status).toBe(200);
  };

  it('does not bring a token back when its disabled provider is enabled again, and audits the revocation', async () => {
    const token = await exchange('deployer');
    expect(await works(token)).toBe(200);
    await patchProvider({ enabled: false });
    await patchProvider({ enabled: true });
    expect(await works(token)).toBe(401);
    expect((await auditEvents(server, 'oidc.token_revoked')).at(-1)).toMatchObject({
      actor: 'acme-admin',
      object: 'deployer',
      context: expect.objectContaining({ reason: 'provider disabled' }),
    });
    // Trust itself is back: a new exchange works.
    expect(await works(await exchange('deployer'))).toBe(200);
  });

  it('does not bring a token back when its account is detached and attached again, and leaves the others', async () => {
    const detached = await exchange('publisher');
    const kept = await exchange('deployer');
    await patchProvider({ service_accounts: ['deployer'] });
    await patchProvider({ service_accounts: ['deployer', 'publisher'] });
    expect(await works(detached)).toBe(401);
    expect(await works(kept)).toBe(200);
    expect((await auditEvents(server, 'oidc.token_revoked')).at(-1)).toMatchObject({
      object: 'publisher',
      context: expect.objectContaining({ reason: 'service account detached from the provider' }),
    });
  });

  it('revokes the tokens of a deleted service account, so nothing brings them back', async () => {
    const token = await exchange('publisher');
    const deleted = await call(server, 'DELETE', '/orgs/acme/services/publisher/', { key: server.adminKey });
    expect(deleted.status).toBe(204);
    // Even if the account row came back (restored by hand), the token stays revoked.
    await server.ctx.db
      .updateTable('services')
      .set({ deleted_at: null })
      .where('slug', '=', 'publisher')
      .execute();
    expect(await works(token)).toBe(401);
    const revoked = await server.ctx.db
      .selectFrom('oidc_tokens as t')
      .innerJoin('services as s', 's.id', 't.service_id')
      .select('t.revoked_at')
      .where('s.slug', '=', 'publisher')
      .execute();
    expect(revoked.every((r) => r.revoked_at !== null)).toBe(true);
    expect((await auditEvents(server, 'oidc.token_revoked')).at(-1)).toMatchObject({
      object: 'publisher',
      context: expect.objectContaining({ reason: 'service account deleted' }),
    });
  });
});
