import type { MatrixFixture, PolicyKind, Vars } from './objects.js';
import { policyBody, providerBody } from './objects.js';
import { EVERYONE, ORG_MANAGER, ORG_MEMBERS, READERS, REPO_ADMINS, type AccessRow } from './row-types.js';

const freshHook = async (f: MatrixFixture): Promise<Vars> => ({ fresh: await f.createWebhook(f.repo) });

/** Webhooks, deliveries included: repository Admin. */
export const WEBHOOK_ROWS: AccessRow[] = [
  { endpoint: 'GET /webhooks/{org}/{repo}/', allowed: REPO_ADMINS, status: 200 },
  {
    endpoint: 'POST /webhooks/{org}/{repo}/',
    allowed: REPO_ADMINS,
    body: { target_url: 'http://127.0.0.1:9/{unique}', events: ['package.synced'], is_active: false },
    status: 201,
  },
  { endpoint: 'GET /webhooks/{org}/{repo}/{hook}/', allowed: REPO_ADMINS, status: 200 },
  {
    endpoint: 'PATCH /webhooks/{org}/{repo}/{fresh}/',
    allowed: REPO_ADMINS,
    body: { events: ['package.created'] },
    status: 200,
    prepare: freshHook,
  },
  {
    endpoint: 'DELETE /webhooks/{org}/{repo}/{fresh}/',
    allowed: REPO_ADMINS,
    status: 204,
    prepare: freshHook,
  },
  { endpoint: 'GET /webhooks/{org}/{repo}/{hook}/deliveries/', allowed: REPO_ADMINS, status: 200 },
  // Public gives Read only: a webhook of a Public repository is still its Admins' business.
  { endpoint: 'GET /webhooks/{org}/{public}/', allowed: REPO_ADMINS, status: 200 },
];

function policyRows(kind: PolicyKind): AccessRow[] {
  const base = `/orgs/{org}/${kind}-policy/`;
  const own = `{${kind}Policy}`;
  const fresh = async (f: MatrixFixture): Promise<Vars> => ({ fresh: await f.createPolicy(kind) });
  const rows: AccessRow[] = [
    { endpoint: `GET ${base}`, allowed: ORG_MEMBERS, status: 200 },
    { endpoint: `POST ${base}`, allowed: ORG_MANAGER, body: policyBody(kind, '{unique}'), status: 201 },
    { endpoint: `GET ${base}${own}/`, allowed: ORG_MEMBERS, status: 200 },
    {
      endpoint: `PUT ${base}{fresh}/`,
      allowed: ORG_MANAGER,
      body: policyBody(kind, '{unique}'),
      status: 200,
      prepare: fresh,
    },
    {
      endpoint: `PATCH ${base}{fresh}/`,
      allowed: ORG_MANAGER,
      body: { description: 'changed {unique}' },
      status: 200,
      prepare: fresh,
    },
    { endpoint: `DELETE ${base}{fresh}/`, allowed: ORG_MANAGER, status: 204, prepare: fresh },
  ];
  if (kind !== 'deny') {
    rows.push({ endpoint: `GET /orgs/{org}/${kind}-policy-violation/`, allowed: ORG_MEMBERS, status: 200 });
  }
  return rows;
}

/** Org policies: members read them, the Manager writes them. */
export const POLICY_ROWS: AccessRow[] = [
  ...policyRows('vulnerability'),
  ...policyRows('license'),
  ...policyRows('deny'),
];

/** Scan results: Read on the repository; the whole org's, its Manager. */
export const VULNERABILITY_ROWS: AccessRow[] = [
  { endpoint: 'GET /vulnerabilities/{org}/', allowed: ORG_MANAGER, status: 200 },
  { endpoint: 'GET /vulnerabilities/{org}/{repo}/', allowed: READERS, status: 200 },
  { endpoint: 'GET /vulnerabilities/{org}/{repo}/{pkg}/', allowed: READERS, status: 200 },
  { endpoint: 'GET /vulnerabilities/{org}/{repo}/{pkg}/{scan}/', allowed: READERS, status: 200 },
  { endpoint: 'GET /vulnerabilities/{org}/{public}/', allowed: EVERYONE, status: 200 },
  // The overview counts only what the caller may read, so every member of the org may ask.
  { endpoint: 'GET /security-overview/{org}/', allowed: ORG_MEMBERS, status: 200 },
  { endpoint: 'GET /security-overview/{org}/{repo}/', allowed: READERS, status: 200 },
  { endpoint: 'GET /security-overview/{org}/{public}/', allowed: EVERYONE, status: 200 },
  { endpoint: 'GET /namespaces/{org}/', allowed: ORG_MEMBERS, status: 200 },
  {
    endpoint: 'GET /vulnerabilities/{org}/{public}/{publicPkg}/{publicScan}/',
    allowed: EVERYONE,
    status: 200,
  },
];

const freshProvider = async (f: MatrixFixture): Promise<Vars> => ({ fresh: await f.createProvider() });

/**
 * OIDC: provider settings and exchanged tokens are the org Manager's. The exchange takes no
 * credentials: whoever presents a valid CI token gets the service account's token, and any
 * API key sent along changes nothing.
 */
export const OIDC_ROWS: AccessRow[] = [
  {
    endpoint: 'POST /openid/{org}/',
    allowed: EVERYONE,
    body: { oidc_token: '{oidcToken}', service_slug: '{read}' },
    status: 200,
    prepare: async (f) => ({ oidcToken: await f.signOidcToken() }),
    check: (res) => expect(res.body).toMatchObject({ token: expect.any(String) }),
  },
  { endpoint: 'GET /orgs/{org}/openid-connect/', allowed: ORG_MANAGER, status: 200 },
  {
    endpoint: 'POST /orgs/{org}/openid-connect/',
    allowed: ORG_MANAGER,
    body: providerBody('{issuer}', '{unique}', '{read}'),
    status: 201,
  },
  { endpoint: 'GET /orgs/{org}/openid-connect/{provider}/', allowed: ORG_MANAGER, status: 200 },
  {
    endpoint: 'PUT /orgs/{org}/openid-connect/{fresh}/',
    allowed: ORG_MANAGER,
    body: providerBody('{issuer}', '{unique}', '{read}'),
    status: 200,
    prepare: freshProvider,
  },
  {
    endpoint: 'PATCH /orgs/{org}/openid-connect/{fresh}/',
    allowed: ORG_MANAGER,
    body: { name: 'renamed {unique}' },
    status: 200,
    prepare: freshProvider,
  },
  {
    endpoint: 'DELETE /orgs/{org}/openid-connect/{fresh}/',
    allowed: ORG_MANAGER,
    status: 204,
    prepare: freshProvider,
  },
  { endpoint: 'GET /orgs/{org}/openid-connect/tokens/', allowed: ORG_MANAGER, status: 200 },
  {
    endpoint: 'DELETE /orgs/{org}/openid-connect/tokens/{token}/',
    allowed: ORG_MANAGER,
    status: 204,
    prepare: async (f) => ({ token: await f.exchangeToken() }),
  },
];

/** Liveness, readiness, metrics (on loopback) and the API description need no credentials. */
export const PUBLIC_ROWS: AccessRow[] = [
  { endpoint: 'GET /status/check/basic/', allowed: EVERYONE, status: 200 },
  { endpoint: 'GET /v1/status/check/basic/', allowed: EVERYONE, status: 200 },
  { endpoint: 'GET /status/advisories/', allowed: EVERYONE, status: 200 },
  // Each caller sees its own window (anonymous: its address's).
  { endpoint: 'GET /rates/limits/', allowed: EVERYONE, status: 200 },
  { endpoint: 'GET /openapi.json', allowed: EVERYONE, status: 200 },
  { endpoint: 'GET /status/check/ready/', allowed: EVERYONE, status: 200 },
  // Loopback clients without a metrics token configured; the token case is in metrics.test.ts.
  { endpoint: 'GET /metrics', allowed: EVERYONE, status: 200 },
];
