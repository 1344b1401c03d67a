import { claimRuleWarnings, matchClaims } from '../../../src/server/oidc/claim-rules.js';
import { addService, call, startOidcServer, type OidcTestServer } from './oidc-helpers.js';

describe('claim rule warnings', () => {
  it('knows a prefix without a separator lets a look-alike repository through', () => {
    const rules = { sub: 'repo:owner/app.*' };
    // The reason for the warning: the documented prefix syntax matches a fork named app-evil-fork.
    expect(matchClaims(rules, { sub: 'repo:owner/app-evil-fork:ref:refs/heads/main' })).toEqual({ ok: true });
    expect(claimRuleWarnings(rules)).toEqual([
      "claims.sub: 'repo:owner/app.*' also matches 'repo:owner/app-evil-fork…'; end the pattern with ':' or '/' before '.*'",
    ]);
  });

  it('has nothing to say about exact values, prefixes ending at a separator, or a bare ".*"', () => {
    expect(
      claimRuleWarnings({
        repository_owner: 'acme',
        sub: 'repo:owner/app:.*',
        ref: 'refs/heads/.*',
        job_workflow_ref: '.*',
      }),
    ).toEqual([]);
  });

  describe('in the API', () => {
    let server: OidcTestServer;
    const base = {
      name: 'GitHub Actions',
      enabled: true,
      provider_url: 'https://token.actions.githubusercontent.com',
      service_accounts: ['deployer'],
    };

    beforeAll(async () => {
      server = await startOidcServer();
      await addService(server, 'deployer', 'Member');
    });
    afterAll(async () => server.close());

    it('saves a raw-prefix rule as documented but warns about it in the answer and on every read', async () => {
      const created = await call(server, 'POST', '/orgs/acme/openid-connect/', {
        key: server.adminKey,
        body: { ...base, claims: { sub: 'repo:owner/app.*' } },
      });
      expect(created.status).toBe(201);
      const body = created.body as { slug_perm: string; warnings: string[] };
      expect(body.warnings).toEqual([
        expect.stringMatching(/^claims\.sub: 'repo:owner\/app\.\*' also matches/),
      ]);
      const path = `/orgs/acme/openid-connect/${body.slug_perm}/`;
      const read = await call(server, 'GET', path, { key: server.adminKey });
      expect((read.body as { warnings: string[] }).warnings).toHaveLength(1);

      const fixed = await call(server, 'PATCH', path, {
        key: server.adminKey,
        body: { claims: { sub: 'repo:owner/app:.*' } },
      });
      expect(fixed.status).toBe(200);
      expect((fixed.body as { warnings: string[] }).warnings).toEqual([]);
    });

    it('gives well-formed rules no warnings', async () => {
      const created = await call(server, 'POST', '/orgs/acme/openid-connect/', {
        key: server.adminKey,
        body: { ...base, name: 'Tidy', claims: { repository_owner: 'acme', ref: 'refs/heads/.*' } },
      });
      expect(created.status).toBe(201);
      expect((created.body as { warnings: string[] }).warnings).toEqual([]);
    });
  });
});
