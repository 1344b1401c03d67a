import type { ServiceWithKey, UserSelf, UserTokens } from '../../src/api/access.js';
import { callApi } from '../helpers/principals.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('the calling user', () => {
  let server: TestServer;
  let ci: ServiceWithKey;
  beforeAll(async () => {
    server = await startTestServer();
    ci = (
      await callApi<ServiceWithKey>(server.url, server.adminKey, 'POST', '/orgs/acme/services/', {
        name: 'CI Bot',
      })
    ).body;
  });
  afterAll(async () => server.close());

  it('answers an anonymous caller with authenticated: false, with and without the /v1 prefix', async () => {
    for (const path of ['/user/self/', '/v1/user/self/', '/user/self']) {
      const res = await callApi<UserSelf>(server.url, null, 'GET', path);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        authenticated: false,
        slug: null,
        slug_perm: null,
        name: null,
        email: null,
        profile_url: null,
        self_url: null,
      });
    }
  });

  it('describes the calling service account', async () => {
    const res = await callApi<UserSelf>(server.url, ci.key, 'GET', '/user/self/');
    expect(res.body).toEqual({
      authenticated: true,
      slug: 'ci-bot',
      slug_perm: ci.slug_perm,
      name: 'CI Bot',
      email: null,
      profile_url: null,
      self_url: `${server.url}/orgs/acme/services/ci-bot/`,
    });
  });

  it('accepts the key as a Bearer token, as "token" and as the basic-auth password', async () => {
    const basic = Buffer.from(`ci-bot:${ci.key}`).toString('base64');
    for (const authorization of [`Bearer ${ci.key}`, `token ${ci.key}`, `Basic ${basic}`]) {
      const res = await fetch(`${server.url}/user/self/`, { headers: { Authorization: authorization } });
      expect(((await res.json()) as UserSelf).slug).toBe('ci-bot');
    }
  });

  it("lists the caller's own key, obfuscated but for its last four characters", async () => {
    const res = await callApi<UserTokens>(server.url, ci.key, 'GET', '/user/tokens/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      results: [
        {
          slug_perm: expect.stringMatching(/^[a-z0-9]{12}$/),
          created: ci.key_created_at,
          key: expect.stringMatching(/^al_\*+[A-Za-z0-9_-]{4}$/),
        },
      ],
    });
    const shown = res.body.results[0]!.key;
    expect(shown.slice(-4)).toBe(ci.key.slice(-4));
    expect(shown).not.toContain(ci.key.slice(3, 10));
  });

  it('gives the key a new slug_perm when it is rotated', async () => {
    const before = await callApi<UserTokens>(server.url, ci.key, 'GET', '/user/tokens/');
    const again = await callApi<UserTokens>(server.url, ci.key, 'GET', '/user/tokens/');
    expect(again.body.results[0]!.slug_perm).toBe(before.body.results[0]!.slug_perm);
    const rotated = await callApi<ServiceWithKey>(
      server.url,
      server.adminKey,
      'POST',
      `/orgs/acme/services/${ci.slug}/refresh/`,
    );
    ci = rotated.body;
    const after = await callApi<UserTokens>(server.url, ci.key, 'GET', '/user/tokens/');
    expect(after.body.results[0]!.slug_perm).not.toBe(before.body.results[0]!.slug_perm);
    expect(after.body.results[0]!.created).toBe(ci.key_created_at);
  });

  it('refuses to list tokens for an anonymous caller', async () => {
    const res = await callApi<{ code: string }>(server.url, null, 'GET', '/user/tokens/');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('not_authenticated');
  });
});
