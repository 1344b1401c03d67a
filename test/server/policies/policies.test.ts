import { generateApiKey, hashKey } from '../../../src/server/domain/access.js';
import { newId } from '../../../src/server/domain/ids.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

describe('organisation policies', () => {
  let server: TestServer;
  let memberKey: string;

  const call = async (method: string, path: string, key: string | null, body?: unknown) => {
    const res = await fetch(server.url + path, {
      method,
      headers: {
        ...(key ? { 'X-Api-Key': key } : {}),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };

  beforeAll(async () => {
    server = await startTestServer();
    memberKey = generateApiKey();
    const org = await server.ctx.db
      .selectFrom('orgs')
      .select('id')
      .where('slug', '=', 'acme')
      .executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    await server.ctx.db
      .insertInto('services')
      .values({
        id: newId(),
        org_id: org.id,
        slug: 'ci-member',
        name: 'ci member',
        description: '',
        role: 'Member',
        key_hash: hashKey(server.ctx.secret, memberKey),
        key_created_at: now,
        created_at: now,
        created_by: null,
        deleted_at: null,
      })
      .execute();
  });
  afterAll(async () => server.close());

  it('creates a vulnerability policy with the reference defaults and reads it back', async () => {
    const created = await call('POST', '/orgs/acme/vulnerability-policy/', server.adminKey, {
      name: 'no criticals',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'no criticals',
      min_severity: 'Critical',
      on_violation_quarantine: false,
      allow_unknown_severity: false,
      package_query_string: '',
    });
    const id = created.body!.slug_perm as string;
    const got = await call('GET', `/v1/orgs/acme/vulnerability-policy/${id}/`, memberKey);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
  });

  it('patches one field and keeps the others, while PUT resets what it does not name', async () => {
    const { body } = await call('POST', '/orgs/acme/license-policy/', server.adminKey, {
      name: 'copyleft',
      spdx_identifiers: ['GPL-3.0-only'],
      on_violation_quarantine: true,
      package_query_string: 'format:npm',
    });
    const id = body!.slug_perm as string;
    const patched = await call('PATCH', `/orgs/acme/license-policy/${id}/`, server.adminKey, {
      allow_unknown_licenses: true,
    });
    expect(patched.body).toMatchObject({
      on_violation_quarantine: true,
      allow_unknown_licenses: true,
      package_query_string: 'format:npm',
    });
    const put = await call('PUT', `/orgs/acme/license-policy/${id}/`, server.adminKey, {
      name: 'copyleft',
      spdx_identifiers: ['AGPL-3.0-only'],
    });
    expect(put.body).toMatchObject({
      spdx_identifiers: ['AGPL-3.0-only'],
      on_violation_quarantine: false,
      package_query_string: '',
    });
  });

  it('shows deny policies with their fixed action and deletes them', async () => {
    const { status, body } = await call('POST', '/orgs/acme/deny-policy/', server.adminKey, {
      name: 'block',
      package_query_string: 'name:evil',
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({ enabled: true, action: 'Block downloads' });
    const id = body!.slug_perm as string;
    expect((await call('DELETE', `/orgs/acme/deny-policy/${id}/`, server.adminKey)).status).toBe(204);
    expect((await call('GET', `/orgs/acme/deny-policy/${id}/`, server.adminKey)).status).toBe(404);
  });

  it('lets org members read policies but only Managers change them', async () => {
    expect((await call('GET', '/orgs/acme/license-policy/', memberKey)).status).toBe(200);
    const denied = await call('POST', '/orgs/acme/license-policy/', memberKey, {
      name: 'x',
      spdx_identifiers: [],
    });
    expect(denied).toMatchObject({ status: 403, body: { code: 'permission_denied' } });
    expect((await call('GET', '/orgs/acme/license-policy/', null)).status).toBe(401);
    expect((await call('GET', '/orgs/nope/license-policy/', server.adminKey)).status).toBe(404);
  });

  it('refuses bad values with a 422 that names the field', async () => {
    const bad = await call('POST', '/orgs/acme/vulnerability-policy/', server.adminKey, {
      name: 'x',
      min_severity: 'Severe',
    });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({
      code: 'validation_failed',
      fields: { min_severity: expect.any(Array) },
    });
    const missing = await call('POST', '/orgs/acme/deny-policy/', server.adminKey, { name: 'x' });
    expect(missing.body).toMatchObject({ fields: { package_query_string: ['This field is required.'] } });
    const rows = await server.ctx.db.selectFrom('policies').select('name').where('name', '=', 'x').execute();
    expect(rows).toEqual([]);
  });

  it('records every policy change in the audit log', async () => {
    const events = await server.ctx.db
      .selectFrom('audit_events')
      .select('event')
      .where('object_kind', 'like', '%_policy')
      .execute();
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining([
        'vulnerability_policy.created',
        'license_policy.updated',
        'deny_policy.deleted',
      ]),
    );
  });
});

describe('patching a vulnerability policy', () => {
  it('keeps min_severity when the patch does not name it', async () => {
    const server = await startTestServer();
    try {
      const headers = { 'X-Api-Key': server.adminKey, 'Content-Type': 'application/json' };
      const created = await fetch(server.url + '/orgs/acme/vulnerability-policy/', {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'high', min_severity: 'High' }),
      });
      const { slug_perm } = (await created.json()) as { slug_perm: string };
      const patched = await fetch(`${server.url}/orgs/acme/vulnerability-policy/${slug_perm}/`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ on_violation_quarantine: true }),
      });
      expect(await patched.json()).toMatchObject({ min_severity: 'High', on_violation_quarantine: true });
    } finally {
      await server.close();
    }
  });
});

describe('deny policies', () => {
  it('block downloads of the packages they match, and only those', async () => {
    const { uploadPackage, createRepo, api } = await import('../../helpers/upload.js');
    const server = await startTestServer();
    try {
      await createRepo(server, 'dev');
      const evil = await uploadPackage<{ cdn_url: string }>(
        server,
        'dev',
        'raw',
        Buffer.from('x'),
        'evil.bin',
        { name: 'evil', version: '1' },
      );
      const good = await uploadPackage<{ cdn_url: string }>(
        server,
        'dev',
        'raw',
        Buffer.from('y'),
        'good.bin',
        { name: 'good', version: '1' },
      );
      const headers = { 'X-Api-Key': server.adminKey };
      expect((await fetch(evil.body.cdn_url, { headers })).status).toBe(200);
      const policy = await api<{ slug_perm: string }>(server, 'POST', '/orgs/acme/deny-policy/', {
        name: 'no evil',
        package_query_string: 'name:evil',
      });
      const denied = await fetch(evil.body.cdn_url, { headers });
      expect(denied.status).toBe(403);
      expect(await denied.json()).toMatchObject({
        code: 'download_denied',
        detail: expect.stringContaining('no evil'),
      });
      expect((await fetch(good.body.cdn_url, { headers })).status).toBe(200);
      await api(server, 'PATCH', `/orgs/acme/deny-policy/${policy.body.slug_perm}/`, { enabled: false });
      expect((await fetch(evil.body.cdn_url, { headers })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
