import type { VulnerabilityScan } from '../../../src/api/vulnerabilities.js';
import { newId } from '../../../src/server/domain/ids.js';
import { packageMatchesQuery } from '../../../src/server/domain/package-query.js';
import { evaluatePolicies } from '../../../src/server/policies/evaluate.js';
import { insertPolicy } from '../../../src/server/store/policies.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { api, createRepo, uploadPackage } from '../../helpers/upload.js';

type Fields = Record<string, string[]>;

/** Stores a policy without the API's checks, as policies stored before queries were checked look. */
async function storePolicy(
  server: TestServer,
  kind: 'deny' | 'vulnerability',
  name: string,
  query: string,
  settings: Record<string, unknown>,
): Promise<string> {
  const org = await server.ctx.db
    .selectFrom('orgs')
    .select('id')
    .where('slug', '=', 'acme')
    .executeTakeFirstOrThrow();
  const id = newId();
  const now = new Date().toISOString();
  await insertPolicy(server.ctx, {
    id,
    org_id: org.id,
    kind,
    name,
    description: '',
    settings,
    package_query_string: query,
    created_at: now,
    updated_at: now,
  });
  return id;
}

describe('policy queries', () => {
  let server: TestServer;
  const urls: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const download = async (name: string) => fetch(urls[name]!, { headers: { 'X-Api-Key': server.adminKey } });

  beforeAll(async () => {
    server = await startTestServer();
    // The service scans each upload and then evaluates the org's policies for it; a test that
    // evaluates policies itself must not race that, so it waits for every package's scan event.
    const scanned = new Set<string>();
    let allScanned: () => void = () => {};
    const done = new Promise<void>((resolve) => (allScanned = resolve));
    server.ctx.listeners.push(async (event, packageId) => {
      if (event !== 'package.security_scanned') return;
      scanned.add(packageId);
      if (Object.values(ids).length === 3 && Object.values(ids).every((id) => scanned.has(id))) allScanned();
    });
    await createRepo(server, 'dev');
    for (const name of ['evil', 'good', 'app']) {
      const res = await uploadPackage<{ cdn_url: string; slug_perm: string }>(
        server,
        'dev',
        'raw',
        Buffer.from(name),
        `${name}.bin`,
        { name, version: '1' },
      );
      expect(res.status).toBe(201);
      urls[name] = res.body.cdn_url;
      ids[name] = res.body.slug_perm;
    }
    if (Object.values(ids).every((id) => scanned.has(id))) allScanned();
    await done;
  });
  afterAll(async () => server.close());

  it('refuses a deny policy whose query has a typo, naming the term, so it cannot block the org', async () => {
    const res = await api<{ code: string; fields: Fields }>(server, 'POST', '/orgs/acme/deny-policy/', {
      name: 'typo',
      package_query_string: 'nmae:evil',
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.fields.package_query_string![0]).toMatch(/'nmae:evil'.*unknown field 'nmae'/);
    expect((await api<unknown[]>(server, 'GET', '/orgs/acme/deny-policy/')).body).toEqual([]);
    expect((await download('good')).status).toBe(200);
  });

  it('refuses a bad query on PATCH and PUT too, and on every kind of policy', async () => {
    const created = await api<{ slug_perm: string; query_error: string | null }>(
      server,
      'POST',
      '/orgs/acme/vulnerability-policy/',
      { name: 'npm only', package_query_string: 'format:npm' },
    );
    expect(created.status).toBe(201);
    expect(created.body.query_error).toBeNull();
    const path = `/orgs/acme/vulnerability-policy/${created.body.slug_perm}/`;
    for (const [method, query] of [
      ['PATCH', 'status:nonsense'],
      ['PUT', 'name:x OR'],
      ['PATCH', 'policy_violated:maybe'],
    ] as const) {
      const res = await api<{ fields: Fields }>(server, method, path, {
        name: 'npm only',
        package_query_string: query,
      });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.fields)).toEqual(['package_query_string']);
    }
    expect((await api<{ package_query_string: string }>(server, 'GET', path)).body.package_query_string).toBe(
      'format:npm',
    );
    await api(server, 'DELETE', path);
  });

  it('lets a stored deny policy that no longer parses block only what it could match, and says why', async () => {
    // Written before queries were checked on save: the field name is misspelt.
    const broken = await storePolicy(server, 'deny', 'legacy typo', 'nmae:evil', { enabled: true });
    const valid = await api<{ slug_perm: string }>(server, 'POST', '/orgs/acme/deny-policy/', {
      name: 'no app',
      package_query_string: 'name:app',
    });
    try {
      // Fails closed for what it could mean: the value 'evil' in any field…
      const denied = await download('evil');
      expect(denied.status).toBe(403);
      expect(await denied.json()).toMatchObject({
        code: 'download_denied',
        detail: expect.stringMatching(/legacy typo.*cannot be read/),
      });
      // …while the rest of the org keeps working and the other policy still applies.
      expect((await download('good')).status).toBe(200);
      expect((await download('app')).status).toBe(403);

      const shown = await api<{ query_error: string | null }>(
        server,
        'GET',
        `/orgs/acme/deny-policy/${broken}/`,
      );
      expect(shown.status).toBe(200);
      expect(shown.body.query_error).toMatch(/'nmae:evil'/);
      // It can still be switched off or fixed without retyping the rest.
      const fixed = await api<{ query_error: string | null }>(
        server,
        'PATCH',
        `/orgs/acme/deny-policy/${broken}/`,
        { package_query_string: 'name:evil' },
      );
      expect(fixed.body.query_error).toBeNull();
      expect((await download('evil')).status).toBe(403);
    } finally {
      await api(server, 'DELETE', `/orgs/acme/deny-policy/${broken}/`);
      await api(server, 'DELETE', `/orgs/acme/deny-policy/${valid.body.slug_perm}/`);
    }
  });

  it('reads a stored query whose grouping is broken as matching every package, never none', async () => {
    const broken = await storePolicy(server, 'deny', 'dangling or', 'name:evil OR', { enabled: true });
    try {
      expect((await download('good')).status).toBe(403);
    } finally {
      await api(server, 'DELETE', `/orgs/acme/deny-policy/${broken}/`);
    }
    expect((await download('good')).status).toBe(200);
  });

  it('applies a stored vulnerability policy that no longer parses to what it could match, beside the others', async () => {
    const settings = { min_severity: 'High', on_violation_quarantine: false, allow_unknown_severity: false };
    const broken = await storePolicy(server, 'vulnerability', 'legacy', 'nmae:app', settings);
    const valid = await api<{ slug_perm: string }>(server, 'POST', '/orgs/acme/vulnerability-policy/', {
      name: 'good only',
      min_severity: 'High',
      package_query_string: 'name:good',
    });
    // Only the fields the evaluation reads.
    const scans = [
      {
        type: 'npm',
        target: 'package-lock.json',
        results: [
          {
            vulnerability_id: 'GHSA-0000-0000-0000',
            severity: 'Critical',
            package_name: 'left-pad',
            affected_version: { raw_version: '1.0.0' },
          },
        ],
      },
    ] as unknown as VulnerabilityScan[];
    try {
      for (const name of ['app', 'good', 'evil']) {
        await evaluatePolicies(server.ctx, packageMatchesQuery, ids[name]!, scans);
      }
      const violations = await server.ctx.db
        .selectFrom('policy_violations')
        .select(['package_id', 'policy_id'])
        .where('policy_id', 'in', [broken, valid.body.slug_perm])
        .execute();
      expect(violations).toHaveLength(2);
      expect(violations).toEqual(
        expect.arrayContaining([
          { package_id: ids.app, policy_id: broken },
          { package_id: ids.good, policy_id: valid.body.slug_perm },
        ]),
      );
    } finally {
      await api(server, 'DELETE', `/orgs/acme/vulnerability-policy/${broken}/`);
      await api(server, 'DELETE', `/orgs/acme/vulnerability-policy/${valid.body.slug_perm}/`);
    }
  });
});
