import fs from 'node:fs';
import path from 'node:path';
import { startDevIssuer, type DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import { ROOT } from '../helpers/runner.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createRepo } from '../server/upload-helpers.js';

/** One `curl` of docs/trust.md: its method, path (after `$AIRLOCK`) and JSON body. */
interface DocRequest {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

/** The requests docs/trust.md tells a reader to send with the admin key, in order. */
function documentedRequests(): DocRequest[] {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/trust.md'), 'utf8');
  const found: DocRequest[] = [];
  for (const m of doc.matchAll(
    /curl -sS -X (\w+) "\$AIRLOCK([^"]+)" \\\n\s+-H "X-Api-Key[^\n]*\n\s+-d '([^']+)'/g,
  )) {
    found.push({ method: m[1]!, path: m[2]!, body: JSON.parse(m[3]!) as Record<string, unknown> });
  }
  return found;
}

/** Sends the documented exchange (`POST /openid/acme/`); resolves with its HTTP status. */
async function exchange(server: TestServer, token: string, serviceSlug: string): Promise<number> {
  const res = await fetch(`${server.url}/openid/acme/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ oidc_token: token, service_slug: serviceSlug }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('docs/trust.md', () => {
  let server: TestServer;
  let github: DevIssuer;
  let jenkins: DevIssuer;
  const requests = documentedRequests();
  const providers = requests.filter((r) => r.path === '/orgs/acme/openid-connect/');

  beforeAll(async () => {
    server = await startTestServer({ allowLoopbackIssuers: true, limits: { requestsPerHour: 0 } });
    await createRepo(server.ctx.db, 'acme', 'dev');
    github = await startDevIssuer();
    jenkins = await startDevIssuer();
  });
  afterAll(async () => {
    await github?.close();
    await jenkins?.close();
    await server?.close();
  });

  /** Sends a documented request; the issuer it names is replaced by a local one of the same kind. */
  async function send(request: DocRequest): Promise<Record<string, unknown>> {
    const body = { ...request.body };
    if (body.provider_url === 'https://token.actions.githubusercontent.com')
      body.provider_url = github.issuer;
    else if (typeof body.provider_url === 'string') body.provider_url = jenkins.issuer;
    const res = await fetch(`${server.url}${request.path}`, {
      method: request.method,
      headers: { 'x-api-key': server.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    const json = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (res.status >= 300)
      throw new Error(`${request.method} ${request.path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  it('holds the requests of each step: a service account, its grant and a provider for each CI', () => {
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /orgs/acme/services/',
      'PATCH /repos/acme/dev/privileges',
      'POST /orgs/acme/openid-connect/',
      'POST /orgs/acme/openid-connect/',
    ]);
  });

  it('sets up trust the service accepts, without warnings, that exchanges the tokens each CI signs', async () => {
    for (const request of requests.filter((r) => !providers.includes(r))) await send(request);
    for (const provider of providers) expect((await send(provider)).warnings).toEqual([]);
    const [githubProvider, jenkinsProvider] = providers.map(
      (p) => p.body as { claims: Record<string, string> },
    );

    // GitHub: a token of the pinned repository, branch and workflow; then one of another branch.
    const claims = githubProvider!.claims;
    expect(await exchange(server, await github.sign({ ...claims }), 'ci-release')).toBe(200);
    expect(
      await exchange(server, await github.sign({ ...claims, ref: 'refs/heads/feature' }), 'ci-release'),
    ).toBe(401);

    // Jenkins: the OpenID Connect Provider plugin's default claims for a build of acme-app's main branch.
    expect(jenkinsProvider!.claims).toEqual({ sub: 'https://jenkins.example.com/job/acme-app/.*' });
    const jenkinsToken = (sub: string): Promise<string> =>
      jenkins.sign(
        {
          sub,
          build_number: 42,
          ...Object.fromEntries(
            [
              'jti',
              'nbf',
              'ref',
              'sha',
              'repository',
              'repository_owner',
              'workflow',
              'job_workflow_ref',
            ].map((c) => [c, undefined]),
          ),
        },
        { expiresIn: 3600 },
      );
    expect(
      await exchange(
        server,
        await jenkinsToken('https://jenkins.example.com/job/acme-app/job/main/'),
        'ci-release',
      ),
    ).toBe(200);
    expect(
      await exchange(
        server,
        await jenkinsToken('https://jenkins.example.com/job/other-app/job/main/'),
        'ci-release',
      ),
    ).toBe(401);
  });
});
