import { api, createRepo, sendFile, uploadPackage, type ApiResponse } from '../helpers/upload.js';
import type { TestServer } from '../helpers/server.js';
import { SYSTEM_ACTOR } from '../../src/server/domain/access.js';
import { addUser } from '../../src/server/domain/users.js';

/**
 * The objects the fuzzer's requests name, so that they reach the code behind the 404s. Each
 * operation that destroys or renames its object gets one of its own (`…Victim`), so that the
 * operations after it still find theirs.
 */
export interface FuzzSeed {
  org: string;
  repo: string;
  scratchRepo: string;
  pkg: string;
  pkgFile: string;
  pkgVictim: string;
  scan: string;
  upload: string;
  uploadVictim: string;
  webhook: string;
  webhookVictim: string;
  team: string;
  teamVictim: string;
  service: string;
  serviceVictim: string;
  member: string;
  policies: Record<'vulnerability' | 'license' | 'deny', { keep: string; victim: string }>;
  provider: string;
  providerVictim: string;
  upstream: string;
  upstreamVictim: string;
}

function expectStatus<T>(res: ApiResponse<T>, status: number, what: string): T {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function createPackage(server: TestServer, repo: string, name: string) {
  const res = await uploadPackage<{ slug_perm: string; filename: string }>(
    server,
    repo,
    'raw',
    Buffer.from(`the bytes of ${name}\n`),
    `${name}-1.0.0.txt`,
    { name, version: '1.0.0' },
  );
  return expectStatus(res, 201, `creating package ${name}`);
}

/**
 * Fills a fresh test server with one of everything the API's paths name. `upstreamUrl` is where
 * the seeded npm upstreams point: a fuzzed request may switch one on, and then asks it.
 */
export async function seedForFuzzing(server: TestServer, upstreamUrl: string): Promise<FuzzSeed> {
  const { org } = server;
  const post = async (path: string, body: unknown, what: string): Promise<{ slug_perm: string }> =>
    expectStatus(await api<{ slug_perm: string }>(server, 'POST', path, body), 201, what);
  await createRepo(server, 'dev');
  await createRepo(server, 'staging');
  await createRepo(server, 'scratch');
  const pkg = await createPackage(server, 'dev', 'fuzz-pkg');
  const victim = await createPackage(server, 'dev', 'fuzz-victim');
  // The scan of the kept package, for the scan-result paths (the worker scans it at once).
  expectStatus(
    await api(server, 'GET', `/packages/${org}/dev/${pkg.slug_perm}/status/?wait=30`),
    200,
    'wait',
  );
  const scans = expectStatus(
    await api<{ identifier: string }[]>(server, 'GET', `/vulnerabilities/${org}/dev/${pkg.slug_perm}/`),
    200,
    'listing scans',
  );
  if (!scans[0]) throw new Error('the seeded package was not scanned within 30 s');
  const upload = await sendFile(server, 'dev', Buffer.from('pending bytes\n'), 'pending.txt');
  const uploadVictim = await sendFile(server, 'dev', Buffer.from('aborted bytes\n'), 'aborted.txt');

  const hook = (n: string) =>
    post(
      `/webhooks/${org}/dev/`,
      // Nothing listens on the discard port: deliveries fail at once and harm nothing.
      { target_url: `http://127.0.0.1:9/${n}`, events: ['package.synced'], is_active: false },
      'creating a webhook',
    );
  const team = async (slug: string) => {
    expectStatus(await api(server, 'POST', `/orgs/${org}/teams/`, { name: slug, slug }), 201, 'team');
    return slug;
  };
  const service = async (name: string) =>
    expectStatus(
      await api<{ slug: string }>(server, 'POST', `/orgs/${org}/services/`, { name, role: 'Member' }),
      201,
      'creating a service account',
    ).slug;
  const policy = (kind: 'vulnerability' | 'license' | 'deny', name: string) => {
    const common = { name, package_query_string: `name:none-${name}` };
    const body =
      kind === 'vulnerability'
        ? { ...common, min_severity: 'Critical' }
        : kind === 'license'
          ? { ...common, spdx_identifiers: ['GPL-3.0-only'] }
          : { ...common, enabled: false };
    return post(`/orgs/${org}/${kind}-policy/`, body, `creating a ${kind} policy`);
  };
  const serviceSlug = await service('fuzz-ci');
  const provider = (name: string) =>
    post(
      `/orgs/${org}/openid-connect/`,
      {
        name,
        enabled: false,
        provider_url: 'http://127.0.0.1:9/issuer',
        claims: { repository: `owner/${name}` },
        service_accounts: [serviceSlug],
      },
      'creating an OIDC provider',
    );
  const upstream = (name: string) =>
    post(
      `/repos/${org}/dev/upstream/npm/`,
      { name, upstream_url: `${upstreamUrl}/${name}`, is_active: false },
      'creating an upstream',
    );
  // A person: members are people, and the org has none until the operator adds one.
  const person = 'fuzz.person@example.com';
  await addUser(
    server.ctx.db,
    server.ctx.secret,
    { org, email: person, role: 'Member' },
    new Date(),
    SYSTEM_ACTOR,
  );
  const policies = {} as FuzzSeed['policies'];
  for (const kind of ['vulnerability', 'license', 'deny'] as const) {
    policies[kind] = {
      keep: (await policy(kind, `${kind}-keep`)).slug_perm,
      victim: (await policy(kind, `${kind}-victim`)).slug_perm,
    };
  }
  return {
    org,
    repo: 'dev',
    scratchRepo: 'scratch',
    pkg: pkg.slug_perm,
    pkgFile: pkg.filename,
    pkgVictim: victim.slug_perm,
    scan: scans[0].identifier,
    upload,
    uploadVictim,
    webhook: (await hook('keep')).slug_perm,
    webhookVictim: (await hook('victim')).slug_perm,
    team: await team('fuzzers'),
    teamVictim: await team('fuzz-victims'),
    service: serviceSlug,
    serviceVictim: await service('fuzz-victim'),
    member: person,
    policies,
    provider: (await provider('fuzz-keep')).slug_perm,
    providerVictim: (await provider('fuzz-victim')).slug_perm,
    upstream: (await upstream('fuzz-keep')).slug_perm,
    upstreamVictim: (await upstream('fuzz-victim')).slug_perm,
  };
}
