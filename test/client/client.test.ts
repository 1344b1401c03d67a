import { jwtExpiry, RepositoryClient } from '../../src/client/client.js';
import { ApiError } from '../../src/client/errors.js';
import { fakeTiming, startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';

function fakeJwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part(claims)}.sig`;
}

describe('RepositoryClient', () => {
  let server: ScriptedServer;
  let timing: ReturnType<typeof fakeTiming>;

  beforeEach(async () => {
    server = await startScriptedServer();
    timing = fakeTiming();
  });
  afterEach(async () => {
    await server.close();
  });

  const client = (apiKey?: string) => new RepositoryClient({ baseUrl: `${server.url}/v1/`, apiKey, timing });

  it('exchanges an OIDC token without a credential and reads the expiry', async () => {
    server.on('POST', '/v1/openid/acme/', {
      status: 200,
      json: { token: 'repo-token', token_expires_at: '2026-11-23T11:00:00.000Z' },
    });
    const result = await client().exchangeOidc('acme', 'id-token', 'ci-bot');
    expect(result).toEqual({ token: 'repo-token', expiresAt: new Date('2026-11-23T11:00:00.000Z') });
    const [req] = server.calls('POST', '/v1/openid/acme/');
    expect(JSON.parse(req!.body.toString())).toEqual({ oidc_token: 'id-token', service_slug: 'ci-bot' });
    expect(req!.headers['x-api-key']).toBeUndefined();
  });

  it('takes the expiry from the token itself when the server does not send one', async () => {
    server.on('POST', '/v1/openid/acme/', { status: 201, json: { token: fakeJwt({ exp: 1_795_000_000 }) } });
    const result = await client().exchangeOidc('acme', 'id-token', 'ci-bot');
    expect(result.expiresAt).toEqual(new Date(1_795_000_000_000));
  });

  it('retries the exchange on 503 and 429 but not on 408 or 401', async () => {
    server.on(
      'POST',
      '/v1/openid/acme/',
      { status: 503 },
      { status: 429 },
      { status: 200, json: { token: 't' } },
    );
    await client().exchangeOidc('acme', 'id', 'ci');
    expect(server.calls('POST', '/v1/openid/acme/')).toHaveLength(3);

    server.on('POST', '/v1/openid/other/', { status: 408 }, { status: 200, json: { token: 't' } });
    await expect(client().exchangeOidc('other', 'id', 'ci')).rejects.toThrow(/408/);
    expect(server.calls('POST', '/v1/openid/other/')).toHaveLength(1);

    server.on('POST', '/v1/openid/third/', {
      status: 401,
      json: { detail: 'OIDC token exchange refused.', code: 'oidc_rejected' },
    });
    await expect(client().exchangeOidc('third', 'id', 'ci')).rejects.toThrow(
      'POST /v1/openid/third/: 401 oidc_rejected — OIDC token exchange refused.',
    );
    expect(server.calls('POST', '/v1/openid/third/')).toHaveLength(1);
  });

  it('reads who the credential belongs to', async () => {
    server.on('GET', '/v1/user/self/', {
      status: 200,
      json: { authenticated: true, slug: 'ci-bot', name: 'CI' },
    });
    await expect(client('k').whoami()).resolves.toMatchObject({ authenticated: true, slug: 'ci-bot' });
  });

  it('lists packages with the search query and reads the paging headers', async () => {
    server.on('GET', '/v1/packages/acme/dev/', {
      status: 200,
      headers: {
        'x-pagination-count': '41',
        'x-pagination-page': '2',
        'x-pagination-pagesize': '20',
        'x-pagination-pagetotal': '3',
      },
      json: [{ slug: 'a', slug_perm: 'A1' }],
    });
    const page = await client('k').listPackages('acme', 'dev', {
      query: 'name:app version:1.0',
      page: 2,
      pageSize: 20,
    });
    expect(page).toMatchObject({ page: 2, pageSize: 20, pageTotal: 3, count: 41 });
    expect(page.items.map((p) => p.slug)).toEqual(['a']);
    const url = new URL(server.calls('GET', '/v1/packages/acme/dev/')[0]!.url, server.url);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      query: 'name:app version:1.0',
      page: '2',
      page_size: '20',
    });
  });

  it('asks the status endpoint to hold the answer when told to wait', async () => {
    server.on('GET', '/v1/packages/acme/dev/P1/status/', {
      status: 200,
      json: {
        status: 4,
        status_str: 'Completed',
        stage: 9,
        stage_str: 'Fully Synchronised',
        sync_progress: 100,
        is_sync_completed: true,
        is_sync_failed: false,
      },
    });
    const status = await client('k').getPackageStatus('acme', 'dev', 'P1', { wait: 20 });
    expect(status.is_sync_completed).toBe(true);
    expect(server.calls('GET', '/v1/packages/acme/dev/P1/status/')[0]!.url).toContain('wait=20');
  });

  it('sends copy, move, tag and quarantine to their package paths', async () => {
    for (const action of ['copy', 'move', 'tag', 'quarantine']) {
      server.on('POST', `/v1/packages/acme/dev/P1/${action}/`, { status: 200, json: { slug_perm: action } });
    }
    const c = client('k');
    expect((await c.copyPackage('acme', 'dev', 'P1', { destination: 'prod' })).slug_perm).toBe('copy');
    expect((await c.movePackage('acme', 'dev', 'P1', { destination: 'prod' })).slug_perm).toBe('move');
    expect((await c.tagPackage('acme', 'dev', 'P1', { action: 'add', tags: ['rc'] })).slug_perm).toBe('tag');
    expect((await c.quarantinePackage('acme', 'dev', 'P1', { release: true })).slug_perm).toBe('quarantine');
    const bodies = server.requests.map((r) => JSON.parse(r.body.toString()));
    expect(bodies).toEqual([
      { destination: 'prod' },
      { destination: 'prod' },
      { action: 'add', tags: ['rc'] },
      { release: true },
    ]);
  });

  it('creates a package with the format in the path and reports a duplicate as an ApiError', async () => {
    server.on('POST', '/v1/packages/acme/dev/upload/raw/', {
      status: 409,
      json: { detail: 'app 1.0.0 already exists.', code: 'duplicate_package' },
    });
    const err = await client('k')
      .createPackage('acme', 'dev', 'raw', { package_file: 'up1', name: 'app', version: '1.0.0' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('duplicate_package');
  });

  it('reads the scan results of a package', async () => {
    server.on('GET', '/v1/vulnerabilities/acme/dev/P1/', {
      status: 200,
      json: [{ identifier: 'S1', num_vulnerabilities: 2 }],
    });
    server.on('GET', '/v1/vulnerabilities/acme/dev/P1/S1/', {
      status: 200,
      json: { identifier: 'S1', scans: [] },
    });
    const c = client('k');
    const [latest] = await c.listVulnerabilities('acme', 'dev', 'P1');
    expect(latest!.identifier).toBe('S1');
    expect((await c.getVulnerabilities('acme', 'dev', 'P1', 'S1')).scans).toEqual([]);
  });
});

describe('jwtExpiry', () => {
  it('reads exp from a JWT payload and nothing from other text', () => {
    expect(jwtExpiry(fakeJwt({ exp: 100 }))).toEqual(new Date(100_000));
    expect(jwtExpiry('al_not-a-jwt')).toBeUndefined();
    expect(jwtExpiry('a.%%%.c')).toBeUndefined();
  });
});
