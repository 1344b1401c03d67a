import { AuthEnv } from '../../src/config/names.js';
import type { AuthSettings } from '../../src/config/auth.js';
import { IdTokenError, IdTokenUnavailableError } from '../../src/runtime/runtime.js';
import { authenticate, ensureFreshToken, freshTokenSource, REFRESH_MARGIN_MS } from '../../src/steps/auth.js';
import { FakeRuntime, type RuntimeEvent } from '../helpers/fake-runtime.js';
import { fakeTiming, startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';

const EXPIRES = '2026-11-23T11:00:00.000Z';

describe('authenticate', () => {
  let server: ScriptedServer;
  let settings: AuthSettings;
  let deps: { timing: ReturnType<typeof fakeTiming>; idTokenTimeoutMs: number };

  beforeEach(async () => {
    server = await startScriptedServer();
    settings = { apiUrl: server.url, org: 'acme', serviceSlug: 'ci-bot', audience: 'airlock', retries: 3 };
    deps = { timing: fakeTiming(), idTokenTimeoutMs: 5000 };
    server.on('POST', '/openid/acme/', {
      status: 200,
      json: { token: 'repo-token-1', token_expires_at: EXPIRES },
    });
    server.on('GET', '/user/self/', (req) => ({
      status: 200,
      json: {
        authenticated:
          req.headers['x-api-key'] === 'repo-token-1' || req.headers['x-api-key'] === 'static-key',
        slug: 'ci-bot',
        name: 'CI',
      },
    }));
  });
  afterEach(async () => {
    await server.close();
  });

  const firstIndex = (events: RuntimeEvent[], test: (e: RuntimeEvent) => boolean) => events.findIndex(test);

  it('exchanges the ID token, masks the token before any output or export, and exports what later steps need', async () => {
    const runtime = new FakeRuntime({ idToken: async (aud) => `id-token-for-${aud}` });
    const result = await authenticate(runtime, settings, deps);

    expect(result).toMatchObject({ token: 'repo-token-1', method: 'oidc', expiresAt: new Date(EXPIRES) });
    expect(JSON.parse(server.calls('POST', '/openid/acme/')[0]!.body.toString())).toEqual({
      oidc_token: 'id-token-for-airlock',
      service_slug: 'ci-bot',
    });
    expect(runtime.outputs).toEqual({ token: 'repo-token-1', 'expires-at': EXPIRES });
    expect(runtime.env).toEqual({
      [AuthEnv.ApiUrl]: server.url,
      [AuthEnv.ApiKey]: 'repo-token-1',
      [AuthEnv.TokenExpiresAt]: EXPIRES,
      [AuthEnv.Org]: 'acme',
      [AuthEnv.ServiceSlug]: 'ci-bot',
      [AuthEnv.Audience]: 'airlock',
    });
    const masked = firstIndex(runtime.events, (e) => e.kind === 'secret' && e.value === 'repo-token-1');
    const firstWrite = firstIndex(runtime.events, (e) => e.kind === 'output' || e.kind === 'export');
    expect(masked).toBeGreaterThanOrEqual(0);
    expect(masked).toBeLessThan(firstWrite);
    expect(runtime.secrets).toContain('id-token-for-airlock');
    expect(server.calls('GET', '/user/self/')[0]!.headers['x-api-key']).toBe('repo-token-1');
    expect(runtime.log.join('\n')).not.toContain('repo-token-1');
  });

  it('retries an ID-token failure that may pass, then succeeds', async () => {
    let calls = 0;
    const runtime = new FakeRuntime({
      idToken: async () => {
        if (++calls < 3) throw new IdTokenError('HTTP 503', true, 503);
        return 'id-token';
      },
    });
    await authenticate(runtime, settings, deps);
    expect(calls).toBe(3);
    expect(runtime.log.filter((l) => l.includes('Getting the OIDC ID token failed'))).toHaveLength(2);
  });

  it('retries an ID-token request that does not answer in time', async () => {
    let calls = 0;
    const runtime = new FakeRuntime({
      idToken: () => (++calls === 1 ? new Promise<string>(() => {}) : Promise.resolve('id-token')),
    });
    await authenticate(runtime, settings, { ...deps, idTokenTimeoutMs: 50 });
    expect(calls).toBe(2);
  });

  it('does not retry an ID-token refusal', async () => {
    let calls = 0;
    const runtime = new FakeRuntime({
      idToken: async () => {
        calls++;
        throw new IdTokenError('HTTP 403', false, 403);
      },
    });
    await expect(authenticate(runtime, settings, deps)).rejects.toThrow('HTTP 403');
    expect(calls).toBe(1);
    expect(runtime.outputs).toEqual({});
  });

  it('fails at once when the CI offers no ID token and no api-key is given', async () => {
    const runtime = new FakeRuntime();
    await expect(authenticate(runtime, settings, deps)).rejects.toThrow(IdTokenUnavailableError);
    expect(runtime.events.filter((e) => e.kind === 'id-token')).toHaveLength(1);
    expect(server.calls('POST', '/openid/acme/')).toHaveLength(0);
  });

  it('falls back to the api-key when the CI offers no ID token', async () => {
    const runtime = new FakeRuntime();
    const result = await authenticate(runtime, { ...settings, apiKey: 'static-key' }, deps);
    expect(result.method).toBe('api-key');
    expect(runtime.log.some((l) => l.startsWith('warning:') && l.includes('api-key'))).toBe(true);
    expect(runtime.env[AuthEnv.ApiKey]).toBe('static-key');
    expect(runtime.env[AuthEnv.TokenExpiresAt]).toBe('');
    expect(runtime.env[AuthEnv.Org]).toBeUndefined();
  });

  it('uses the api-key alone when no OIDC settings are given', async () => {
    const runtime = new FakeRuntime({ idToken: async () => 'unused' });
    const result = await authenticate(
      runtime,
      { apiUrl: server.url, audience: 'airlock', apiKey: 'static-key', retries: 1 },
      deps,
    );
    expect(result.identity.slug).toBe('ci-bot');
    expect(runtime.events.some((e) => e.kind === 'id-token')).toBe(false);
    expect(runtime.outputs).toEqual({ token: 'static-key', 'expires-at': '' });
  });

  it('retries the exchange through 503, 503 and succeeds', async () => {
    server.on(
      'POST',
      '/openid/acme/',
      { status: 503 },
      { status: 503 },
      {
        status: 200,
        json: { token: 'repo-token-1', token_expires_at: EXPIRES },
      },
    );
    await authenticate(new FakeRuntime({ idToken: async () => 'id' }), settings, deps);
    expect(server.calls('POST', '/openid/acme/')).toHaveLength(3);
  });

  it('fails at once on a refused exchange, with the server detail', async () => {
    server.on('POST', '/openid/acme/', {
      status: 403,
      json: { detail: 'Token exchange refused.', code: 'oidc_rejected' },
    });
    const runtime = new FakeRuntime({ idToken: async () => 'id' });
    await expect(authenticate(runtime, settings, deps)).rejects.toThrow(
      /refused the OIDC exchange for org 'acme' and service 'ci-bot': POST \/openid\/acme\/: 403 oidc_rejected — Token exchange refused\./,
    );
    expect(server.calls('POST', '/openid/acme/')).toHaveLength(1);
    expect(runtime.outputs).toEqual({});
  });

  it('exports nothing when the repository does not accept the token', async () => {
    server.on('GET', '/user/self/', { status: 200, json: { authenticated: false, slug: null, name: null } });
    const runtime = new FakeRuntime({ idToken: async () => 'id' });
    await expect(authenticate(runtime, settings, deps)).rejects.toThrow(/did not accept the token/);
    expect(runtime.events.filter((e) => e.kind === 'output' || e.kind === 'export')).toEqual([]);
  });
});

describe('ensureFreshToken', () => {
  let server: ScriptedServer;
  const now = Date.parse('2026-11-23T10:00:00Z');

  beforeEach(async () => {
    server = await startScriptedServer();
    server.on('POST', '/openid/acme/', {
      status: 200,
      json: { token: 'renewed', token_expires_at: '2026-11-23T11:00:00Z' },
    });
  });
  afterEach(async () => {
    await server.close();
  });

  const runtimeWith = (expiresInMs: number, extra: Record<string, string> = {}) =>
    new FakeRuntime({
      idToken: async () => 'id',
      env: {
        [AuthEnv.ApiKey]: 'old',
        [AuthEnv.TokenExpiresAt]: new Date(now + expiresInMs).toISOString(),
        [AuthEnv.Org]: 'acme',
        [AuthEnv.ServiceSlug]: 'ci-bot',
        [AuthEnv.Audience]: 'aud-x',
        ...extra,
      },
    });

  it('keeps a token with more than five minutes left', async () => {
    const runtime = runtimeWith(REFRESH_MARGIN_MS + 1000);
    const settings = { apiUrl: server.url, apiKey: 'old' };
    await expect(ensureFreshToken(runtime, settings, { now: () => now })).resolves.toBe(settings);
    expect(server.requests).toHaveLength(0);
  });

  it('exchanges again when under five minutes are left, masking the new token before exporting it', async () => {
    const runtime = runtimeWith(REFRESH_MARGIN_MS - 1000);
    const fresh = await ensureFreshToken(
      runtime,
      { apiUrl: server.url, apiKey: 'old' },
      { now: () => now, timing: fakeTiming() },
    );
    expect(fresh.apiKey).toBe('renewed');
    expect(runtime.env[AuthEnv.ApiKey]).toBe('renewed');
    expect(runtime.env[AuthEnv.TokenExpiresAt]).toBe('2026-11-23T11:00:00.000Z');
    expect(runtime.events.find((e) => e.kind === 'id-token')).toEqual({
      kind: 'id-token',
      audience: 'aud-x',
    });
    const masked = runtime.events.findIndex((e) => e.kind === 'secret' && e.value === 'renewed');
    const exported = runtime.events.findIndex((e) => e.kind === 'export');
    expect(masked).toBeLessThan(exported);
  });

  it('leaves a key that was given explicitly alone', async () => {
    const runtime = runtimeWith(1000);
    const settings = { apiUrl: server.url, apiKey: 'explicit-key' };
    await expect(ensureFreshToken(runtime, settings, { now: () => now })).resolves.toBe(settings);
    expect(server.requests).toHaveLength(0);
  });

  it('warns when an expiring token cannot be renewed', async () => {
    const runtime = runtimeWith(1000, { [AuthEnv.Org]: '' });
    await ensureFreshToken(runtime, { apiUrl: server.url, apiKey: 'old' }, { now: () => now });
    expect(runtime.log.join('\n')).toMatch(/cannot be renewed/);
  });

  it('shares one renewal between concurrent callers of a token source', async () => {
    const runtime = runtimeWith(1000);
    const source = freshTokenSource(
      runtime,
      { apiUrl: server.url, apiKey: 'old' },
      { now: () => now, timing: fakeTiming() },
    );
    const tokens = await Promise.all([source(), source(), source()]);
    expect(tokens).toEqual(['renewed', 'renewed', 'renewed']);
    expect(server.calls('POST', '/openid/acme/')).toHaveLength(1);
  });
});
