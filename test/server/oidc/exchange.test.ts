import { EXCHANGE_REFUSED_DETAIL } from '../../../src/server/oidc/exchange.js';
import { changeProvider } from '../../../src/server/store/oidc.js';
import { startDevIssuer, type DevIssuer } from '../../../src/server/oidc/dev-issuer.js';
import {
  addOrg,
  addService,
  auditEvents,
  call,
  startOidcServer,
  type OidcTestServer,
} from './oidc-helpers.js';

const RULES = { repository: 'owner/repo', ref: 'refs/heads/.*' };

describe('OIDC token exchange', () => {
  let server: OidcTestServer;
  let issuer: DevIssuer;
  let providerId: string;

  beforeAll(async () => {
    server = await startOidcServer();
    issuer = await startDevIssuer();
    await addService(server, 'deployer', 'Member');
    await addService(server, 'release-bot', 'Manager');
    await addService(server, 'unattached', 'Member');
    const res = await call(server, 'POST', '/orgs/acme/openid-connect/', {
      key: server.adminKey,
      body: {
        name: 'Local CI',
        enabled: true,
        provider_url: issuer.issuer,
        claims: RULES,
        service_accounts: ['deployer', 'release-bot'],
      },
    });
    expect(res.status).toBe(201);
    providerId = (res.body as { slug_perm: string }).slug_perm;
  });
  afterAll(async () => {
    await server.close();
    await issuer.close();
  });

  const exchange = async (oidcToken: string, serviceSlug = 'deployer', org = 'acme') =>
    call(server, 'POST', `/openid/${org}/`, { body: { oidc_token: oidcToken, service_slug: serviceSlug } });

  /** The generic refusal, and the specific reason recorded in the audit log (when the org exists). */
  const expectRefused = async (
    res: { status: number; body: unknown },
    reason: string | null,
  ): Promise<void> => {
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: EXCHANGE_REFUSED_DETAIL, code: 'oidc_rejected' });
    if (reason) {
      const refusals = await auditEvents(server, 'oidc.exchange_refused');
      expect(refusals.at(-1)?.context.reason).toBe(reason);
    }
  };

  it('exchanges a valid token for one that works as X-Api-Key and as Bearer', async () => {
    const res = await exchange(await issuer.sign({}));
    expect(res.status).toBe(200);
    const { token, token_expires_at } = res.body as { token: string; token_expires_at: string };
    const ttl = new Date(token_expires_at).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(3500_000);
    expect(ttl).toBeLessThanOrEqual(3600_000);
    for (const auth of [{ key: token }, { bearer: token }]) {
      const self = await call(server, 'GET', '/user/self/', auth);
      expect(self.status).toBe(200);
      expect(self.body).toMatchObject({ authenticated: true, slug: 'deployer' });
    }
  });

  it("gives the token only its service account's privileges", async () => {
    const member = (await exchange(await issuer.sign({}), 'deployer')).body as { token: string };
    const manager = (await exchange(await issuer.sign({}), 'release-bot')).body as { token: string };
    const asMember = await call(server, 'GET', '/orgs/acme/openid-connect/', { key: member.token });
    expect(asMember.status).toBe(403);
    const asManager = await call(server, 'GET', '/orgs/acme/openid-connect/', { key: manager.token });
    expect(asManager.status).toBe(200);
  });

  it('records the caller identity on the exchange and on every audit event the token causes', async () => {
    const { token } = (await exchange(await issuer.sign({ run_id: '98765' }), 'release-bot')).body as {
      token: string;
    };
    const exchanges = await auditEvents(server, 'oidc.exchange');
    expect(exchanges.at(-1)?.context.identity).toMatchObject({
      issuer: issuer.issuer,
      subject: 'repo:owner/repo:ref:refs/heads/main',
      repository: 'owner/repo',
      workflow: 'CI',
      ref: 'refs/heads/main',
      run_id: '98765',
      run_attempt: '1',
      actor: 'octocat',
    });
    const created = await call(server, 'POST', '/orgs/acme/openid-connect/', {
      key: token,
      body: {
        name: 'Made by CI',
        enabled: false,
        provider_url: 'https://ci.example.com',
        claims: { sub: 'x' },
        service_accounts: [],
      },
    });
    expect(created.status).toBe(201);
    const events = await auditEvents(server, 'oidc.provider_created');
    expect(events.at(-1)).toMatchObject({
      actor: 'release-bot',
      object: 'Made by CI',
      context: { identity: { run_id: '98765', repository: 'owner/repo' }, token: expect.any(String) },
    });
  });

  it('accepts an ES256 token', async () => {
    const res = await exchange(await issuer.sign({}, { alg: 'ES256' }));
    expect(res.status).toBe(200);
  });

  it('refuses an unsigned token (alg none)', async () => {
    await expectRefused(await exchange(await issuer.sign({}, { alg: 'none' })), 'algorithm_not_allowed');
  });

  it('refuses an HS256 token keyed with the public key', async () => {
    await expectRefused(await exchange(await issuer.sign({}, { alg: 'HS256' })), 'algorithm_not_allowed');
  });

  it('refuses a token from an issuer no provider trusts', async () => {
    await expectRefused(
      await exchange(await issuer.sign({ iss: 'https://evil.example.com' })),
      'wrong_issuer',
    );
  });

  it("refuses a token whose iss differs from the discovery document's issuer", async () => {
    await expectRefused(await exchange(await issuer.sign({ iss: issuer.issuer + '/' })), 'wrong_issuer');
  });

  it('refuses a token for another audience', async () => {
    await expectRefused(
      await exchange(await issuer.sign({ aud: 'https://github.com/owner' })),
      'wrong_audience',
    );
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(
      await exchange(await issuer.sign({ iat: now - 900, nbf: now - 900, exp: now - 300 })),
      'expired',
    );
  });

  it('refuses a token whose nbf is in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(
      await exchange(await issuer.sign({ nbf: now + 600, exp: now + 900 })),
      'not_yet_valid',
    );
  });

  it('refuses a token that lacks a claim the provider requires', async () => {
    await expectRefused(await exchange(await issuer.sign({ repository: undefined })), 'claim_missing');
  });

  it('refuses a token whose claim does not match', async () => {
    await expectRefused(await exchange(await issuer.sign({ repository: 'owner/other' })), 'claim_mismatch');
  });

  it('refuses a token whose claim does not start with a wildcard rule prefix', async () => {
    await expectRefused(await exchange(await issuer.sign({ ref: 'refs/tags/v1' })), 'claim_mismatch');
  });

  it('refuses a tampered payload', async () => {
    const [header, payload, signature] = (await issuer.sign({})).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, run_id: '1' })).toString('base64url');
    await expectRefused(await exchange(`${header}.${forged}.${signature}`), 'bad_signature');
  });

  it('refuses something that is not a JWT', async () => {
    await expectRefused(await exchange('not.a-jwt'), 'malformed_token');
  });

  it('refuses a token for a service account not attached to the provider', async () => {
    await expectRefused(await exchange(await issuer.sign({}), 'unattached'), 'service_not_attached');
  });

  it('refuses an unknown service account and an unknown organisation alike', async () => {
    await expectRefused(await exchange(await issuer.sign({}), 'nobody'), 'unknown_service');
    await expectRefused(await exchange(await issuer.sign({}), 'deployer', 'no-such-org'), null);
  });

  it('refuses a token that only a provider of another org accepts', async () => {
    const otherKey = await addOrg(server, 'beta');
    await addService(server, 'ci', 'Member', 'beta');
    const created = await call(server, 'POST', '/orgs/beta/openid-connect/', {
      key: otherKey,
      body: {
        name: 'Beta CI',
        enabled: true,
        provider_url: issuer.issuer,
        claims: RULES,
        service_accounts: ['ci'],
      },
    });
    expect(created.status).toBe(201);
    expect((await exchange(await issuer.sign({}), 'ci', 'beta')).status).toBe(200);
    // gamma has an account of the same name but trusts no provider: beta's trust does not carry over.
    await addOrg(server, 'gamma');
    await addService(server, 'ci', 'Member', 'gamma');
    await expectRefused(await exchange(await issuer.sign({}), 'ci', 'gamma'), 'no_provider');
    // acme trusts the issuer, but beta's account is not acme's.
    await expectRefused(await exchange(await issuer.sign({}), 'ci', 'acme'), 'unknown_service');
  });

  it('refuses a rule with a wildcard in the middle at creation, and such a stored rule never matches', async () => {
    const res = await call(server, 'POST', '/orgs/acme/openid-connect/', {
      key: server.adminKey,
      body: {
        name: 'Wildcard',
        enabled: true,
        provider_url: issuer.issuer,
        claims: { repository: 'owner/.*/repo' },
        service_accounts: ['unattached'],
      },
    });
    expect(res.status).toBe(422);
    expect((res.body as { fields: Record<string, string[]> }).fields['claims.repository']![0]).toContain(
      'repository',
    );
    // A rule that reached the database some other way is never treated as a pattern.
    const created = await call(server, 'POST', '/orgs/acme/openid-connect/', {
      key: server.adminKey,
      body: {
        name: 'Wildcard',
        enabled: true,
        provider_url: issuer.issuer,
        claims: { repository: 'owner/repo' },
        service_accounts: ['unattached'],
      },
    });
    const id = (created.body as { slug_perm: string }).slug_perm;
    await changeProvider(server.ctx, id, { claims: { repository: 'owner/.*' + '/repo', sub: 'repo:*' } });
    try {
      await expectRefused(
        await exchange(await issuer.sign({ repository: 'owner/.*/repo' }), 'unattached'),
        'invalid_rule',
      );
    } finally {
      await call(server, 'DELETE', `/orgs/acme/openid-connect/${id}/`, { key: server.adminKey });
    }
  });

  it('refuses, without failing, under a provider whose stored claim rules cannot be read, and says so where it is shown', async () => {
    const created = await call(server, 'POST', '/orgs/acme/openid-connect/', {
      key: server.adminKey,
      body: {
        name: 'Hand edited',
        enabled: true,
        provider_url: issuer.issuer,
        claims: { repository: 'owner/repo' },
        service_accounts: ['unattached'],
      },
    });
    const id = (created.body as { slug_perm: string }).slug_perm;
    // A row changed by hand: the JSON column no longer parses.
    await server.ctx.db
      .updateTable('oidc_providers')
      .set({ claims: '{not json' })
      .where('id', '=', id)
      .execute();
    try {
      await expectRefused(await exchange(await issuer.sign({}), 'unattached'), 'invalid_rule');
      const shown = await call(server, 'GET', `/orgs/acme/openid-connect/${id}/`, { key: server.adminKey });
      expect(shown.status).toBe(200);
      expect(shown.body).toMatchObject({ claims: {}, warnings: [expect.stringMatching(/cannot be read/)] });
    } finally {
      await call(server, 'DELETE', `/orgs/acme/openid-connect/${id}/`, { key: server.adminKey });
    }
  });

  it('records the refusal reason in the server audit log but never the token', async () => {
    const token = await issuer.sign({ repository: 'owner/other' });
    await exchange(token);
    const refusals = await auditEvents(server, 'oidc.exchange_refused');
    const last = refusals.at(-1)!;
    expect(last).toMatchObject({
      object: 'deployer',
      target: 'Local CI',
      context: { reason: 'claim_mismatch' },
    });
    expect(JSON.stringify(last)).not.toContain(token.split('.')[2]);
  });

  it('ignores a valid API key sent along, and refuses a bad one with invalid_token before the exchange', async () => {
    const withKey = await call(server, 'POST', '/openid/acme/', {
      key: server.adminKey,
      body: { oidc_token: await issuer.sign({}), service_slug: 'deployer' },
    });
    expect(withKey.status).toBe(200);
    const badKey = await call(server, 'POST', '/openid/acme/', {
      key: 'al_nope',
      body: { oidc_token: await issuer.sign({}), service_slug: 'deployer' },
    });
    expect(badKey.status).toBe(401);
    expect(badKey.body).toMatchObject({ code: 'invalid_token' });
  });

  it('stops the exchanged tokens and refuses new exchanges once the provider is disabled', async () => {
    const oidcToken = await issuer.sign({});
    const { token } = (await exchange(oidcToken)).body as { token: string };
    expect((await call(server, 'GET', '/user/self/', { key: token })).status).toBe(200);
    const off = await call(server, 'PATCH', `/orgs/acme/openid-connect/${providerId}/`, {
      key: server.adminKey,
      body: { enabled: false },
    });
    expect(off.status).toBe(200);
    try {
      const self = await call(server, 'GET', '/user/self/', { key: token });
      expect(self.status).toBe(401);
      expect(self.body).toMatchObject({ code: 'invalid_token' });
      await expectRefused(await exchange(oidcToken), 'provider_disabled');
    } finally {
      await call(server, 'PATCH', `/orgs/acme/openid-connect/${providerId}/`, {
        key: server.adminKey,
        body: { enabled: true },
      });
    }
    // Disabling revoked the token: re-enabling the provider does not bring it back.
    expect((await call(server, 'GET', '/user/self/', { key: token })).status).toBe(401);
  });

  it('stops a token once its service account is detached from the provider', async () => {
    const { token } = (await exchange(await issuer.sign({}), 'release-bot')).body as { token: string };
    await call(server, 'PATCH', `/orgs/acme/openid-connect/${providerId}/`, {
      key: server.adminKey,
      body: { service_accounts: ['deployer'] },
    });
    try {
      expect((await call(server, 'GET', '/user/self/', { key: token })).status).toBe(401);
    } finally {
      await call(server, 'PATCH', `/orgs/acme/openid-connect/${providerId}/`, {
        key: server.adminKey,
        body: { service_accounts: ['deployer', 'release-bot'] },
      });
    }
  });

  it('refuses an exchanged token once it has expired', async () => {
    const short = await call(server, 'PATCH', `/orgs/acme/openid-connect/${providerId}/`, {
      key: server.adminKey,
      body: { token_ttl_seconds: 60 },
    });
    expect(short.status).toBe(200);
    try {
      const { token } = (await exchange(await issuer.sign({}))).body as { token: string };
      expect((await call(server, 'GET', '/user/self/', { key: token })).status).toBe(200);
      server.advance(61);
      const self = await call(server, 'GET', '/user/self/', { bearer: token });
      expect(self.status).toBe(401);
      expect(self.body).toMatchObject({ code: 'invalid_token' });
    } finally {
      server.advance(-61);
      await call(server, 'PATCH', `/orgs/acme/openid-connect/${providerId}/`, {
        key: server.adminKey,
        body: { token_ttl_seconds: 3600 },
      });
    }
  });
});
