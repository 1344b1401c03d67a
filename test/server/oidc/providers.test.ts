import {
  addOrg,
  addService,
  auditEvents,
  call,
  startOidcServer,
  type OidcTestServer,
} from './oidc-helpers.js';

const valid = {
  name: 'GitHub Actions',
  enabled: true,
  provider_url: 'https://token.actions.githubusercontent.com',
  claims: { repository_owner: 'acme', ref: 'refs/heads/.*' },
  service_accounts: ['deployer'],
};

type Fields = Record<string, string[]>;

describe('OIDC provider settings', () => {
  let server: OidcTestServer;
  let memberKey: string;

  beforeAll(async () => {
    server = await startOidcServer();
    memberKey = (await addService(server, 'deployer', 'Member')).apiKey;
    await addService(server, 'publisher', 'Member');
  });
  afterAll(async () => server.close());

  const post = (body: unknown, key = server.adminKey) =>
    call(server, 'POST', '/orgs/acme/openid-connect/', { key, body });

  it('asks an anonymous caller for credentials before saying whether an organisation exists', async () => {
    for (const org of ['acme', 'no-such-org']) {
      const res = await call(server, 'GET', `/orgs/${org}/openid-connect/`);
      expect(res.status).toBe(401);
    }
    expect(
      (await call(server, 'GET', '/orgs/no-such-org/openid-connect/', { key: server.adminKey })).status,
    ).toBe(404);
  });

  it('creates a provider with defaults for audience and token lifetime, and audits it', async () => {
    const res = await post(valid);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      ...valid,
      audience: 'airlock',
      token_ttl_seconds: 3600,
      slug: 'github-actions',
      slug_perm: expect.stringMatching(/^[A-Za-z0-9]{12}$/),
    });
    const events = await auditEvents(server, 'oidc.provider_created');
    expect(events.at(-1)).toMatchObject({ object: 'GitHub Actions', actor: 'acme-admin' });
  });

  it('lists, reads, replaces, patches and deletes a provider', async () => {
    const created = (await post({ ...valid, name: 'Lifecycle' })).body as { slug_perm: string; slug: string };
    const path = `/orgs/acme/openid-connect/${created.slug_perm}/`;
    const list = await call(server, 'GET', '/orgs/acme/openid-connect/?page_size=100', {
      key: server.adminKey,
    });
    expect(list.status).toBe(200);
    expect((list.body as Array<{ slug_perm: string }>).map((p) => p.slug_perm)).toContain(created.slug_perm);
    expect(list.headers.get('x-pagination-count')).toBeDefined();

    expect((await call(server, 'GET', path, { key: server.adminKey })).body).toMatchObject({
      name: 'Lifecycle',
    });

    const replaced = await call(server, 'PUT', path, {
      key: server.adminKey,
      body: {
        ...valid,
        name: 'Replaced',
        audience: 'custom',
        token_ttl_seconds: 600,
        service_accounts: ['publisher'],
      },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      name: 'Replaced',
      audience: 'custom',
      token_ttl_seconds: 600,
      service_accounts: ['publisher'],
      slug: created.slug,
    });

    const patched = await call(server, 'PATCH', path, { key: server.adminKey, body: { enabled: false } });
    expect(patched.body).toMatchObject({
      name: 'Replaced',
      enabled: false,
      audience: 'custom',
      token_ttl_seconds: 600,
    });

    const putAgain = await call(server, 'PUT', path, { key: server.adminKey, body: valid });
    expect(putAgain.body).toMatchObject({ audience: 'airlock', token_ttl_seconds: 3600 });

    expect((await call(server, 'DELETE', path, { key: server.adminKey })).status).toBe(204);
    expect((await call(server, 'GET', path, { key: server.adminKey })).status).toBe(404);
    const kinds = await Promise.all(
      ['oidc.provider_updated', 'oidc.provider_deleted'].map(
        async (e) => (await auditEvents(server, e)).length,
      ),
    );
    expect(kinds).toEqual([3, 1]);
  });

  it('gives a second provider of the same name its own slug', async () => {
    const a = (await post({ ...valid, name: 'Twin' })).body as { slug: string };
    const b = (await post({ ...valid, name: 'Twin' })).body as { slug: string };
    expect(a.slug).toBe('twin');
    expect(b.slug).toMatch(/^twin-[a-z0-9]{6}$/);
  });

  it('lets only org Managers see or change providers', async () => {
    expect((await post(valid, memberKey)).status).toBe(403);
    expect((await call(server, 'GET', '/orgs/acme/openid-connect/', { key: memberKey })).status).toBe(403);
    expect((await call(server, 'GET', '/orgs/acme/openid-connect/')).status).toBe(401);
    const otherAdmin = await addOrg(server, 'other');
    expect((await call(server, 'GET', '/orgs/acme/openid-connect/', { key: otherAdmin })).status).toBe(403);
    expect((await call(server, 'GET', '/orgs/nope/openid-connect/', { key: server.adminKey })).status).toBe(
      404,
    );
  });

  it('requires at least one claim rule', async () => {
    const res = await post({ ...valid, claims: {} });
    expect(res.status).toBe(422);
    expect((res.body as { fields: Fields }).fields.claims![0]).toMatch(/At least one claim/);
  });

  it('refuses a rule set that only says ".*"', async () => {
    const res = await post({ ...valid, claims: { sub: '.*' } });
    expect(res.status).toBe(422);
    expect((res.body as { fields: Fields }).fields.claims![0]).toMatch(/constrain/);
  });

  it('refuses a wildcard anywhere but a trailing ".*", naming the claim', async () => {
    for (const rule of ['repo:acme/.*:ref', 'repo:acme/*', '*', 'a*.*']) {
      const res = await post({ ...valid, claims: { repository_owner: 'acme', sub: rule } });
      expect(res.status).toBe(422);
      const body = res.body as { detail: string; fields: Fields };
      expect(Object.keys(body.fields)).toEqual(['claims.sub']);
      expect(body.detail).toContain("Claim 'sub'");
    }
  });

  it('refuses service accounts the org does not have', async () => {
    const res = await post({ ...valid, service_accounts: ['deployer', 'ghost'] });
    expect(res.status).toBe(422);
    expect((res.body as { fields: Fields }).fields.service_accounts).toEqual([
      "Organisation 'acme' has no service account 'ghost'.",
    ]);
  });

  it('refuses a non-https issuer, and an http one on loopback without --allow-loopback-issuers', async () => {
    for (const url of [
      'http://ci.example.com',
      'ftp://ci.example.com',
      'not a url',
      'https://u:p@ci.example.com',
    ]) {
      const res = await post({ ...valid, provider_url: url });
      expect(res.status).toBe(422);
      expect(Object.keys((res.body as { fields: Fields }).fields)).toEqual(['provider_url']);
    }
    expect((await post({ ...valid, provider_url: 'http://127.0.0.1:9' })).status).toBe(201);
    const strict = await startOidcServer(false);
    try {
      const res = await call(strict, 'POST', '/orgs/acme/openid-connect/', {
        key: strict.adminKey,
        body: { ...valid, provider_url: 'http://127.0.0.1:9', service_accounts: [] },
      });
      expect(res.status).toBe(422);
      expect((res.body as { fields: Fields }).fields.provider_url![0]).toContain('--allow-loopback-issuers');
    } finally {
      await strict.close();
    }
  });

  it('checks the schema: required fields, the token lifetime cap and dynamic mappings', async () => {
    const missing = await post({ name: 'x' });
    expect(missing.status).toBe(422);
    expect(['enabled', 'provider_url', 'claims', 'service_accounts']).toEqual(
      expect.arrayContaining(Object.keys((missing.body as { fields: Fields }).fields)),
    );
    expect((await post({ ...valid, token_ttl_seconds: 86_401 })).status).toBe(422);
    expect((await post({ ...valid, token_ttl_seconds: 59 })).status).toBe(422);
    expect((await post({ ...valid, token_ttl_seconds: 86_400 })).status).toBe(201);
    const mapped = await post({
      ...valid,
      mapping_claim: 'repository',
      dynamic_mappings: [{ claim_value: 'x' }],
    });
    expect(mapped.status).toBe(422);
    expect(Object.keys((mapped.body as { fields: Fields }).fields).sort()).toEqual([
      'dynamic_mappings',
      'mapping_claim',
    ]);
  });

  it('checks only the fields a PATCH sends', async () => {
    const created = (await post({ ...valid, name: 'Patchable' })).body as { slug_perm: string };
    const path = `/orgs/acme/openid-connect/${created.slug_perm}/`;
    const bad = await call(server, 'PATCH', path, { key: server.adminKey, body: { claims: { sub: 'a*b' } } });
    expect(bad.status).toBe(422);
    const renamed = await call(server, 'PATCH', path, { key: server.adminKey, body: { name: 'Renamed' } });
    expect(renamed.body).toMatchObject({
      name: 'Renamed',
      claims: valid.claims,
      service_accounts: ['deployer'],
    });
  });
});
