/**
 * The Terraform provider's contract, replayed at the HTTP level: for every data source and
 * resource of the workspace-as-code configuration, the requests the provider sends (method, path,
 * body, `X-Api-Key`, under the `/v1` prefix of its default `api_host` and under none) in the order
 * it sends them for create, read, update, import and delete, and the response properties it needs
 * (its generated models refuse a body without their required properties; attributes with a
 * default must be echoed or every plan shows a change). No Terraform binary is involved.
 */
import { SYSTEM_ACTOR } from '../../src/server/domain/access.js';
import { addUser } from '../../src/server/domain/users.js';
import { startDevIssuer, type DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, unknown>;
interface Reply {
  status: number;
  body: Json & Json[];
  headers: Headers;
}

const TF_USER_AGENT = '(linux amd64) Terraform/1.11.4';

describe.each([['/v1'], ['']])('the Terraform provider with api_host ending in %j', (prefix) => {
  const tag = prefix ? 'v1' : 'root';
  let server: TestServer;
  let issuer: DevIssuer;
  let token: string;
  let orgPerm: string;

  /** One request as the provider's generated client sends it. */
  async function tf(method: string, path: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = { 'X-Api-Key': token, 'User-Agent': TF_USER_AGENT };
    headers.Accept = 'application/json';
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(server.url + prefix + path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    // The client decodes a body only when its Content-Type is JSON.
    if (text) expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    return {
      status: res.status,
      body: (text ? JSON.parse(text) : null) as Json & Json[],
      headers: res.headers,
    };
  }

  /** What the create waiter does: poll the read until it is not 404. */
  async function expectReadable(path: string): Promise<Reply> {
    const read = await tf('GET', path);
    expect(read.status).toBe(200);
    return read;
  }

  /** What the delete waiter does: poll the read until it is 404. */
  async function expectGone(path: string): Promise<void> {
    const read = await tf('GET', path);
    expect(read.status).toBe(404);
    expect(typeof read.body.detail).toBe('string');
  }

  beforeAll(async () => {
    server = await startTestServer({ allowLoopbackIssuers: true, limits: { requestsPerHour: 0 } });
    issuer = await startDevIssuer();
    const admin = { 'X-Api-Key': server.adminKey, 'Content-Type': 'application/json' };
    const post = async (path: string, body: unknown): Promise<Json> => {
      const res = await fetch(server.url + path, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify(body),
      });
      expect(res.status).toBeLessThan(300);
      return (await res.json()) as Json;
    };
    // The identity Terraform runs as: a Manager service account the CI reaches by OIDC only.
    await post('/orgs/acme/services/', { name: 'terraform', role: 'Manager' });
    await post('/orgs/acme/services/', { name: 'ci-release' });
    await post('/orgs/acme/openid-connect/', {
      name: 'CI',
      enabled: true,
      provider_url: issuer.issuer,
      claims: { repository: 'acme/workspace' },
      service_accounts: ['terraform'],
    });
    // The exchange script of the workspace-as-code page.
    const oidcToken = await issuer.sign({ repository: 'acme/workspace' });
    const exchanged = await fetch(`${server.url}${prefix}/openid/acme/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ oidc_token: oidcToken, service_slug: 'terraform' }),
    });
    expect(exchanged.status).toBe(200);
    token = ((await exchanged.json()) as { token: string }).token;
    await addUser(
      server.ctx,
      server.ctx.secret,
      { org: 'acme', email: 'alice@example.com', role: 'Member' },
      new Date(),
      SYSTEM_ACTOR,
    );
  });
  afterAll(async () => {
    await server.close();
    await issuer.close();
  });

  it('configures: GET /user/self/ answers for the exchanged token', async () => {
    const self = await tf('GET', '/user/self/');
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ slug: 'terraform', authenticated: true });
  });

  it('reads the data sources cloudsmith_organization, cloudsmith_user_self and cloudsmith_org_member_details', async () => {
    const org = await tf('GET', '/orgs/acme/');
    expect(org.status).toBe(200);
    expect(org.body).toMatchObject({ name: 'acme', slug: 'acme' });
    expect(Date.parse(String(org.body.created_at))).not.toBeNaN();
    orgPerm = String(org.body.slug_perm);

    const self = await tf('GET', '/user/self/');
    expect(self.body).toMatchObject({ slug: 'terraform', name: 'terraform' });
    expect(typeof self.body.slug_perm).toBe('string');

    const alice = await tf('GET', '/orgs/acme/members/alice@example.com/');
    expect(alice.status).toBe(200);
    expect(alice.body).toMatchObject({
      email: 'alice@example.com',
      user: 'alice',
      user_id: 'alice',
      role: 'Member',
    });
    expect(Date.parse(String(alice.body.joined_at))).not.toBeNaN();
  });

  it('cloudsmith_repository: create in the org slug_perm, read, update, import, drift, delete', async () => {
    const created = await tf('POST', `/repos/${orgPerm}/`, {
      name: 'Development',
      description: 'Built by CI',
      slug: `dev-${tag}`,
      repository_type_str: 'Private',
      broadcast_state: 'Off',
    });
    expect(created.status).toBe(201);
    const id = String(created.body.slug_perm);
    const path = `/repos/${orgPerm}/${id}/`;
    const read = await expectReadable(path);
    // Attributes with a default are echoed, or every plan would show a change.
    expect(read.body).toMatchObject({
      name: 'Development',
      description: 'Built by CI',
      repository_type_str: 'Private',
      broadcast_state: 'Off',
      tag_pre_releases_as_latest: false,
      is_private: true,
      is_public: false,
    });
    expect(Date.parse(String(read.body.created_at))).not.toBeNaN();

    // Update: the PATCH carries every non-empty attribute in state, computed ones included.
    const patch = { ...read.body, description: 'Built and scanned by CI' };
    const updated = await tf('PATCH', path, patch);
    expect(updated.status).toBe(200);
    expect(updated.body.slug_perm).toBe(id);
    expect((await expectReadable(path)).body.description).toBe('Built and scanned by CI');

    // Import `<org>.<repo slug>`: read by slug, the id becomes the slug_perm.
    const imported = await expectReadable(`/repos/acme/dev-${tag}/`);
    expect(imported.body.slug_perm).toBe(id);

    // A change behind Terraform's back shows in the next read.
    expect((await tf('PATCH', `/repos/acme/${id}/`, { description: 'changed by hand' })).status).toBe(200);
    expect((await expectReadable(path)).body.description).toBe('changed by hand');

    expect((await tf('DELETE', path)).status).toBe(204);
    await expectGone(path);
  });

  it('cloudsmith_team and cloudsmith_manage_team: create with a null description, members by user_id, import, delete', async () => {
    const created = await tf('POST', '/orgs/acme/teams/', {
      name: `Developers ${tag}`,
      description: null,
    });
    expect(created.status).toBe(201);
    const id = String(created.body.slug_perm);
    const slug = String(created.body.slug);
    const path = `/orgs/acme/teams/${id}/`;
    const read = await expectReadable(path);
    expect(read.body).toMatchObject({
      name: `Developers ${tag}`,
      slug,
      slug_perm: id,
      visibility: 'Visible',
    });

    const updated = await tf('PATCH', path, {
      name: `Developers ${tag}`,
      description: 'people who ship',
      visibility: 'Visible',
    });
    expect(updated.status).toBe(200);
    expect((await expectReadable(path)).body.description).toBe('people who ship');

    // Import `<org>.<team slug>`.
    expect((await expectReadable(`/orgs/acme/teams/${slug}/`)).body.slug_perm).toBe(id);

    // cloudsmith_manage_team: PUT (replace) without a trailing slash, then the read.
    const members = `/orgs/acme/teams/${slug}/members`;
    const put = await tf('PUT', members, { members: [{ role: 'Manager', user: 'alice' }] });
    expect(put.status).toBe(200);
    const listed = await tf('GET', members);
    expect(listed.status).toBe(200);
    // The read gives back exactly the set written: no perpetual diff.
    expect(listed.body.members).toEqual([{ role: 'Manager', user: 'alice', user_kind: 'User' }]);
    const changed = await tf('PUT', members, {
      members: [
        { role: 'Member', user: 'alice' },
        { role: 'Member', user: 'ci-release' },
      ],
    });
    expect(changed.status).toBe(200);
    expect((await tf('GET', members)).body.members).toHaveLength(2);

    expect((await tf('DELETE', path)).status).toBe(204);
    await expectGone(path);
    // The members read of a deleted team is a 404, so Terraform drops it from state.
    expect((await tf('GET', members)).status).toBe(404);
  });

  it('cloudsmith_repository_privileges: lockout check, PUT, paged read, delete keeps the caller Admin', async () => {
    const repo = await tf('POST', '/repos/acme/', {
      name: `privileged ${tag}`,
      repository_type_str: 'Private',
    });
    const team = await tf('POST', '/orgs/acme/teams/', { name: `Writers ${tag}`, description: null });
    const path = `/repos/acme/${String(repo.body.slug)}/privileges`;
    // CustomizeDiff and create: who am I (the caller must keep a grant)?
    const self = await tf('GET', '/user/self/');
    const body = {
      privileges: [
        { privilege: 'Admin', service: self.body.slug },
        { privilege: 'Write', team: team.body.slug },
        { privilege: 'Read', user: 'alice' },
      ],
    };
    expect((await tf('PUT', path, body)).status).toBe(204);
    const read = await tf('GET', `${path}?page=1&page_size=1000`);
    expect(read.status).toBe(200);
    expect(read.body.privileges).toEqual(
      expect.arrayContaining([
        { privilege: 'Admin', service: 'terraform' },
        { privilege: 'Write', team: team.body.slug },
        { privilege: 'Read', user: 'alice' },
      ]),
    );
    expect((read.body.privileges as unknown as Json[]).length).toBeLessThan(1000);

    // Delete: the caller has a direct grant, else it looks itself up as a service or a member.
    expect((await tf('GET', `/orgs/acme/services/${String(self.body.slug)}/`)).status).toBe(200);
    expect((await tf('GET', '/orgs/acme/members/alice/')).status).toBe(200);
    expect(
      (await tf('PUT', path, { privileges: [{ privilege: 'Admin', service: self.body.slug }] })).status,
    ).toBe(204);
    expect((await tf('GET', `${path}?page=1&page_size=1000`)).body.privileges).toEqual([
      { privilege: 'Admin', service: 'terraform' },
    ]);
  });

  it('cloudsmith_service: create with a team, key of at least 4 characters on reads, rotate, delete', async () => {
    const team = await tf('POST', '/orgs/acme/teams/', { name: `Bots ${tag}`, description: null });
    const created = await tf('POST', '/orgs/acme/services/', {
      name: `deployer ${tag}`,
      description: 'deploys',
      role: 'Member',
      teams: [{ slug: team.body.slug, role: 'Member' }],
    });
    expect(created.status).toBe(201);
    const key = String(created.body.key);
    const id = String(created.body.slug);
    const path = `/orgs/acme/services/${id}/`;
    const read = await expectReadable(path);
    expect(read.body).toMatchObject({
      name: `deployer ${tag}`,
      description: 'deploys',
      role: 'Member',
      slug: id,
    });
    expect(read.body.teams).toEqual([{ slug: team.body.slug, role: 'Member' }]);
    // The provider compares the last 4 characters of the stored key with the read's `key`.
    expect(String(read.body.key).length).toBeGreaterThanOrEqual(4);
    expect(String(read.body.key).slice(-4)).toBe(key.slice(-4));
    expect(read.body.key).not.toBe(key);

    expect(
      (await tf('PATCH', path, { name: `deployer ${tag}`, description: 'deploys more', role: 'Member' }))
        .status,
    ).toBe(200);
    const rotated = await tf('POST', `/orgs/acme/services/${id}/refresh/`);
    expect(rotated.status).toBe(200);
    expect(String((await expectReadable(path)).body.key).slice(-4)).toBe(String(rotated.body.key).slice(-4));

    expect((await tf('DELETE', path)).status).toBe(204);
    await expectGone(path);
  });

  it('cloudsmith_oidc: create, read with dynamic mappings, update, delete', async () => {
    const created = await tf('POST', '/orgs/acme/openid-connect/', {
      claims: { repository: 'acme/app' },
      enabled: true,
      name: `Actions ${tag}`,
      provider_url: 'https://token.actions.githubusercontent.com',
      service_accounts: ['ci-release'],
    });
    expect(created.status).toBe(201);
    const id = String(created.body.slug_perm);
    const path = `/orgs/acme/openid-connect/${id}/`;
    const read = await expectReadable(path);
    expect(read.body).toMatchObject({
      claims: { repository: 'acme/app' },
      enabled: true,
      name: `Actions ${tag}`,
      service_accounts: ['ci-release'],
    });
    expect(typeof read.body.provider_url).toBe('string');
    // The dynamic-mappings read: a 404, or 200 with all four pagination headers.
    const mappings = await tf('GET', `${path}dynamic-mappings/?page=1&page_size=500`);
    if (mappings.status === 200) {
      for (const h of ['count', 'page', 'page-total', 'page-size'])
        expect(mappings.headers.get(`x-pagination-${h}`)).not.toBeNull();
    } else expect(mappings.status).toBe(404);

    const patch = {
      claims: { repository: 'acme/app', ref: 'refs/heads/main' },
      enabled: false,
      name: `Actions ${tag}`,
      provider_url: 'https://token.actions.githubusercontent.com',
      service_accounts: ['ci-release'],
    };
    expect((await tf('PATCH', path, patch)).status).toBe(200);
    expect((await expectReadable(path)).body).toMatchObject({ enabled: false, claims: patch.claims });

    expect((await tf('DELETE', path)).status).toBe(204);
    await expectGone(path);
  });

  it('cloudsmith_webhook: create with the fields the provider always sends, read, update, delete', async () => {
    const repo = await tf('POST', '/repos/acme/', { name: `hooked ${tag}` });
    const base = `/webhooks/acme/${String(repo.body.slug)}/`;
    const created = await tf('POST', base, {
      events: ['package.created'],
      is_active: true,
      package_query: null,
      request_body_format: 0,
      request_body_template_format: 0,
      request_content_type: 'application/json',
      secret_header: 'X-Hook-Secret',
      secret_value: 'shh',
      signature_key: 'sign-me',
      target_url: 'http://127.0.0.1:9/airlock',
      templates: [],
      verify_ssl: true,
    });
    expect(created.status).toBe(201);
    const id = String(created.body.slug_perm);
    const path = `${base}${id}/`;
    const read = await expectReadable(path);
    expect(read.body).toMatchObject({
      events: ['package.created'],
      is_active: true,
      request_body_format: 0,
      request_body_template_format: 0,
      target_url: 'http://127.0.0.1:9/airlock',
      verify_ssl: true,
    });
    expect(Number.isInteger(read.body.request_body_format)).toBe(true);
    expect(JSON.stringify(read.body)).not.toContain('sign-me');

    const updated = await tf('PATCH', path, { events: ['package.created', 'package.synced'], templates: [] });
    expect(updated.status).toBe(200);
    expect((await expectReadable(path)).body.events).toEqual(['package.created', 'package.synced']);

    expect((await tf('DELETE', path)).status).toBe(204);
    await expectGone(path);
  });

  it.each([
    [
      'vulnerability',
      { min_severity: 'High', allow_unknown_severity: false },
      { min_severity: 'Critical', allow_unknown_severity: true },
    ],
    [
      'license',
      { spdx_identifiers: ['GPL-3.0-only'], allow_unknown_licenses: false },
      { spdx_identifiers: ['GPL-3.0-only', 'AGPL-3.0-only'], allow_unknown_licenses: true },
    ],
  ])('cloudsmith_%s_policy: create, read, PUT, delete', async (kind, fields, changed) => {
    const base = `/orgs/acme/${kind}-policy/`;
    const body = {
      name: `${kind} ${tag}`,
      description: kind === 'license' ? 'copyleft' : null,
      on_violation_quarantine: true,
      package_query_string: null,
      ...fields,
    };
    const created = await tf('POST', base, body);
    expect(created.status).toBe(201);
    const id = String(created.body.slug_perm);
    const path = `${base}${id}/`;
    const read = await expectReadable(path);
    expect(read.body).toMatchObject({ name: body.name, on_violation_quarantine: true, ...fields });
    expect(Date.parse(String(read.body.created_at))).not.toBeNaN();

    const put = await tf('PUT', path, { ...body, ...changed });
    expect(put.status).toBe(200);
    expect((await expectReadable(path)).body).toMatchObject(changed);

    expect((await tf('DELETE', path)).status).toBe(204);
    await expectGone(path);
  });

  it('reports a bad license policy as 422 naming spdx_identifiers, as the provider expects', async () => {
    const res = await tf('POST', '/orgs/acme/license-policy/', {
      name: 'bad',
      description: 'bad',
      spdx_identifiers: ['Not-A-License-Id'],
    });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toMatch(/spdx_identifiers/);
  });
});
