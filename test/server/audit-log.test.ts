import type { AuditLogEntry } from '../../src/api/audit.js';
import { buildPrincipals, callApi, type AccessFixture } from '../helpers/principals.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { uploadPackage } from '../helpers/upload.js';
import { REDACTED_CONTEXT } from '../../src/server/domain/audit-log.js';

interface ErrorBody {
  detail: string;
  code: string;
  fields?: Record<string, string[]>;
}

describe('the audit log', () => {
  let server: TestServer;
  let f: AccessFixture;
  let repo: string;
  let team: string;
  beforeAll(async () => {
    // Each reading of the clock is a second later, so every event has its own time.
    let t = Date.parse('2026-01-01T00:00:00Z');
    server = await startTestServer({}, { clock: () => new Date((t += 1000)) });
    f = await buildPrincipals(server);
    repo = await f.createRepo();
    await f.call('admin', 'PATCH', `/repos/acme/${repo}/`, { description: 'by the admin' });
    team = await f.createTeam();
  });
  afterAll(async () => server.close());

  const list = async (path: string, who: 'manager' | 'admin' = 'manager'): Promise<AuditLogEntry[]> => {
    const res = await f.call<AuditLogEntry[]>(who, 'GET', path);
    expect(res.status).toBe(200);
    return res.body;
  };

  it("lists the org's events newest first, with every Cloudsmith field", async () => {
    const entries = await list('/audit-log/acme/?page_size=1000');
    const times = entries.map((e) => e.event_at);
    expect(times).toEqual([...times].sort().reverse());
    expect(entries[0]).toEqual({
      uuid: expect.stringMatching(/^[A-Za-z0-9]{16}$/),
      event: 'team.created',
      event_at: expect.stringMatching(/^2026-01-01T/),
      actor: f.slugs.manager,
      actor_kind: 'service_account',
      actor_slug_perm: expect.stringMatching(/^[A-Za-z0-9]{12}$/),
      actor_ip_address: expect.stringContaining('127.0.0.1'),
      object: team,
      object_kind: 'team',
      object_slug_perm: expect.any(String),
      target: null,
      target_kind: null,
      target_slug_perm: null,
      context: { name: expect.any(String), visibility: 'Visible' },
    });
    expect(entries.map((e) => e.event)).toEqual(
      expect.arrayContaining(['service.created', 'repository.created', 'repository.privileges.replaced']),
    );
  });

  it("keeps a repository's own log to that repository's events, readable by its Admin", async () => {
    const entries = await list(`/audit-log/acme/${repo}/`, 'admin');
    expect(entries.map((e) => [e.event, e.actor])).toEqual([
      ['repository.updated', f.slugs.admin],
      ['repository.privileges.replaced', f.slugs.manager],
      ['repository.created', f.slugs.manager],
    ]);
    expect(entries[0]!.context).toEqual({ changes: { description: { from: '', to: 'by the admin' } } });
  });

  it('filters by actor, event, object and actor_kind, all terms together', async () => {
    const byAdmin = await list(`/audit-log/acme/?page_size=1000&query=actor:${f.slugs.admin}`);
    expect(byAdmin.map((e) => e.event)).toEqual(['repository.updated']);
    const created = await list('/audit-log/acme/?page_size=1000&query=event:repository.created');
    expect(created.length).toBeGreaterThanOrEqual(2);
    expect(new Set(created.map((e) => e.event))).toEqual(new Set(['repository.created']));
    const both = await list(
      `/audit-log/acme/?page_size=1000&query=${encodeURIComponent(`event:repository.created object:${repo}`)}`,
    );
    expect(both.map((e) => e.object)).toEqual([repo]);
    const prefixed = await list(
      `/audit-log/acme/?page_size=1000&query=${encodeURIComponent('event:repository.*')}`,
    );
    expect(prefixed.length).toBeGreaterThan(created.length);
    expect(prefixed.every((e) => e.event.startsWith('repository.'))).toBe(true);
    const services = await list('/audit-log/acme/?page_size=1000&query=actor_kind:service_account');
    const all = await list('/audit-log/acme/?page_size=1000');
    expect(services).toHaveLength(all.length);
    expect(await list('/audit-log/acme/?query=actor_kind:anonymous')).toEqual([]);
    expect(await list('/audit-log/acme/?query=actor:nobody%20event:repository.created')).toEqual([]);
  });

  it.each([
    ['an unknown facet', 'colour:blue', /colour:blue/],
    ['a term without a facet', 'repository', /facet:value/],
    ['a facet without a value', 'actor:', /no value/],
    ['a wildcard inside a value', 'event:repo*sitory', /may only end/],
  ])('refuses %s with 422 naming the query', async (_what, query, message) => {
    const res = await f.call<ErrorBody>(
      'manager',
      'GET',
      `/audit-log/acme/?query=${encodeURIComponent(query)}`,
    );
    expect(res.status).toBe(422);
    expect(res.body.fields?.query?.join(' ')).toMatch(message);
  });

  it('pages with Link and X-Pagination headers', async () => {
    const all = await list('/audit-log/acme/?page_size=1000');
    const res = await f.call<AuditLogEntry[]>('manager', 'GET', '/audit-log/acme/?page=2&page_size=3');
    expect(res.body.map((e) => e.uuid)).toEqual(all.slice(3, 6).map((e) => e.uuid));
    expect(res.headers.get('x-pagination-count')).toBe(String(all.length));
    expect(res.headers.get('x-pagination-pagetotal')).toBe(String(Math.ceil(all.length / 3)));
    expect(res.headers.get('link')).toContain('rel="prev"');
  });

  it("never shows another org's events", async () => {
    const otherRepo = await callApi<{ slug: string }>(
      server.url,
      f.keys.otherManager,
      'POST',
      `/repos/${f.otherOrg}/`,
      {
        name: 'elsewhere',
      },
    );
    expect(otherRepo.status).toBe(201);
    const acme = await list('/audit-log/acme/?page_size=1000');
    expect(acme.map((e) => e.actor)).not.toContain(f.slugs.otherManager);
    const theirs = await callApi<AuditLogEntry[]>(
      server.url,
      f.keys.otherManager,
      'GET',
      `/audit-log/${f.otherOrg}/`,
    );
    expect(theirs.body.map((e) => [e.event, e.object])).toEqual([['repository.created', 'elsewhere']]);
  });

  it('names an unknown org or repository in a 404', async () => {
    const org = await f.call<ErrorBody>('manager', 'GET', '/audit-log/nowhere/');
    expect(org.status).toBe(404);
    expect(org.body.detail).toContain("'nowhere'");
    const missing = await f.call<ErrorBody>('manager', 'GET', '/audit-log/acme/no-such-repo/');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain('acme/no-such-repo');
  });
});

describe("a package's trail after it moves into a public repository", () => {
  let server: TestServer;
  let f: AccessFixture;
  let secret: string;
  let shop: string;
  let uploadId: string;
  let trailPath: string;

  beforeAll(async () => {
    let t = Date.parse('2026-02-01T00:00:00Z');
    server = await startTestServer({}, { clock: () => new Date((t += 1000)) });
    f = await buildPrincipals(server);
    // `read` may read the public repository only; `admin` administers both.
    secret = await f.createRepo({ grants: { read: null, write: null } });
    shop = await f.createRepo({ public: true, grants: { read: 'Read', write: null } });
    const made = await uploadPackage<{ slug_perm: string }>(
      server,
      secret,
      'raw',
      Buffer.from('release candidate'),
      'tool-1.0.bin',
      { name: 'tool', version: '1.0', tags: 'internal-qa' },
    );
    expect(made.status).toBe(201);
    uploadId = made.identifier;
    const id = made.body.slug_perm;
    const tagged = await f.call('manager', 'POST', `/packages/acme/${secret}/${id}/tag/`, {
      action: 'Add',
      tags: ['embargoed'],
    });
    expect(tagged.status).toBe(200);
    const moved = await f.call('manager', 'POST', `/packages/acme/${secret}/${id}/move/`, {
      destination: shop,
    });
    expect(moved.status).toBe(200);
    trailPath = `/packages/acme/${shop}/${id}/audit-log/`;
  });
  afterAll(async () => server.close());

  const trail = async (who: 'anonymous' | 'read' | 'admin' | 'manager'): Promise<AuditLogEntry[]> => {
    const res = await f.call<AuditLogEntry[]>(who, 'GET', trailPath);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-pagination-count')).toBe(String(res.body.length));
    return res.body;
  };

  it('shows an anonymous caller only what happened in the public repository, nothing of where it came from', async () => {
    const entries = await trail('anonymous');
    expect(entries.map((e) => [e.event, e.target])).toEqual([['package.moved', `acme/${shop}`]]);
    expect(entries[0]!.context).toEqual(REDACTED_CONTEXT);
    expect(entries[0]!.actor_slug_perm).toBeNull();
    expect(entries[0]!.actor_ip_address).toBeNull();
    const text = JSON.stringify(entries);
    for (const privateWord of [secret, uploadId, 'internal-qa', 'embargoed', 'tool-1.0.bin']) {
      expect(text).not.toContain(privateWord);
    }
  });

  it('shows a member without Read on the source repository the same trail, with the actor ids it may see', async () => {
    const entries = await trail('read');
    expect(entries.map((e) => e.event)).toEqual(['package.moved']);
    expect(entries[0]!.context).toEqual(REDACTED_CONTEXT);
    expect(entries[0]!.actor_slug_perm).toEqual(expect.any(String));
    expect(JSON.stringify(entries)).not.toContain(secret);
  });

  it('shows callers who may read both repositories the whole trail, from the upload on', async () => {
    for (const who of ['admin', 'manager'] as const) {
      const entries = await trail(who);
      expect(entries.map((e) => e.event)).toEqual([
        'package.created',
        'package.tags_updated',
        'package.moved',
      ]);
      expect(entries[0]!.context).toMatchObject({ upload: uploadId, filename: 'tool-1.0.bin' });
      expect(entries[1]!.context).toMatchObject({ tags: ['embargoed'] });
      expect(entries[2]!.context).toMatchObject({ from: `acme/${secret}`, to: `acme/${shop}` });
    }
  });
});
