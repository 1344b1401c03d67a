import crypto from 'node:crypto';
import type { Package } from '../../../src/api/packages.js';
import { PACKAGE_STATUS } from '../../../src/server/domain/package-status.js';
import { insertService, listTeams, teamMembershipsOf } from '../../../src/server/store/access.js';
import { findObjectEvents, insertAuditEvent, listAuditEvents } from '../../../src/server/store/audit.js';
import { addTag, loadTags } from '../../../src/server/store/package-tags.js';
import {
  getPackage,
  listLivePackageIds,
  packageMatchesFilter,
  softDeletePackage,
  updateLivePackage,
} from '../../../src/server/store/packages.js';
import {
  findLiveRepo,
  findOrgBySlug,
  insertOrg,
  listReadableRepos,
} from '../../../src/server/store/repos.js';
import { inTransaction } from '../../../src/server/store/source.js';
import { api, BACKENDS, createRepo, startServerOn, uploadPackage } from '../../helpers/upload.js';
import type { TestServer } from '../../helpers/server.js';

describe.each(BACKENDS)('the core store on %s', (backend) => {
  let server: TestServer;
  let orgId: string;
  let repoId: string;

  beforeAll(async () => {
    server = await startServerOn(backend);
    await createRepo(server, 'store-dev');
    orgId = (await findOrgBySlug(server.ctx, server.org))!.id;
    repoId = (await findLiveRepo(server.ctx, orgId, 'store-dev'))!.id;
  });
  afterAll(async () => server.close());

  const upload = async (name: string, version: string, tags: string[] = []): Promise<Package> => {
    const bytes = crypto.randomBytes(64);
    const res = await uploadPackage<Package>(server, 'store-dev', 'raw', bytes, `${name}-${version}.bin`, {
      name,
      version,
      tags,
    });
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  it('commits every write of a transaction together, or none when it throws', async () => {
    const slug = `tx-${crypto.randomBytes(4).toString('hex')}`;
    const at = new Date().toISOString();
    await expect(
      inTransaction(server.ctx, async (trx) => {
        await insertOrg(trx, { id: `o${slug}`, slug, name: slug, created_at: at });
        await insertService(trx, {
          id: `s${slug}`,
          org_id: `o${slug}`,
          slug: `${slug}-admin`,
          name: 'admin',
          description: '',
          role: 'Manager',
          key_hash: crypto.randomBytes(32).toString('hex'),
          key_created_at: at,
          created_at: at,
          created_by: null,
          deleted_at: null,
        });
        throw new Error('abandoned');
      }),
    ).rejects.toThrow(/abandoned/);
    expect(await findOrgBySlug(server.ctx, slug)).toBeUndefined();
    await inTransaction(server.ctx, (trx) =>
      insertOrg(trx, { id: `o${slug}`, slug, name: slug, created_at: at }),
    );
    expect(await findOrgBySlug(server.ctx, slug)).toMatchObject({ id: `o${slug}`, slug });
  });

  it('hands out package metadata and identity parsed, never as text', async () => {
    const pkg = await upload('parsed', '1.0.0');
    const row = await getPackage(server.ctx, pkg.slug_perm);
    expect(typeof row.metadata).toBe('object');
    expect(row.metadata).toMatchObject({ version_orig: '1.0.0' });
    expect(row.identity).toBeNull();
  });

  it('reads damaged JSON text as empty rather than failing the read', async () => {
    const pkg = await upload('damaged', '1.0.0');
    // Text no store method would write: what a hand edit or an older version could leave behind.
    await server.ctx.db
      .updateTable('packages')
      .set({ metadata: '{not json', identity: '[]' })
      .where('id', '=', pkg.slug_perm)
      .execute();
    const row = await getPackage(server.ctx, pkg.slug_perm);
    expect(row.metadata).toEqual({});
    expect(row.identity).toBeNull();
    expect(
      (await api<Package>(server, 'GET', `/packages/${server.org}/store-dev/${pkg.slug_perm}/`)).status,
    ).toBe(200);
  });

  it('applies a conditional write only while its condition holds, and says whether it did', async () => {
    const pkg = await upload('conditional', '1.0.0');
    const quarantine = { is_quarantined: 1, status: PACKAGE_STATUS.quarantined };
    expect(
      await updateLivePackage(server.ctx, { id: pkg.slug_perm, repoId, quarantined: false }, quarantine),
    ).toBe(true);
    expect(
      await updateLivePackage(server.ctx, { id: pkg.slug_perm, repoId, quarantined: false }, quarantine),
    ).toBe(false);
    expect(
      await updateLivePackage(server.ctx, { id: pkg.slug_perm, repoId: 'elsewhere' }, { slug: 'x' }),
    ).toBe(false);
    const at = new Date().toISOString();
    // Quarantined: a delete that must find the package unlocked does nothing.
    expect(await softDeletePackage(server.ctx, pkg.slug_perm, at, PACKAGE_STATUS.deleted, true)).toBe(false);
    expect(await softDeletePackage(server.ctx, pkg.slug_perm, at, PACKAGE_STATUS.deleted)).toBe(true);
    expect(await softDeletePackage(server.ctx, pkg.slug_perm, at, PACKAGE_STATUS.deleted)).toBe(false);
    expect(await getPackage(server.ctx, pkg.slug_perm)).toMatchObject({
      deleted_at: at,
      status: PACKAGE_STATUS.deleted,
    });
  });

  it('refuses an unlocked delete while the package carries an immutable tag', async () => {
    const pkg = await upload('locked', '1.0.0');
    await addTag(server.ctx, pkg.slug_perm, 'release', 'info', true);
    const at = new Date().toISOString();
    expect(await softDeletePackage(server.ctx, pkg.slug_perm, at, PACKAGE_STATUS.deleted, true)).toBe(false);
    expect((await loadTags(server.ctx, [pkg.slug_perm])).get(pkg.slug_perm)).toEqual([
      { package_id: pkg.slug_perm, tag: 'release', kind: 'info', immutable: 1 },
    ]);
  });

  it('filters and sorts a listing by the conditions the domain builds', async () => {
    const a = await upload('filter-alpha', '1.0.0', ['blue']);
    const b = await upload('filter-beta', '2.0.0', ['green']);
    const window = { offset: 0, size: 100 };
    const byName = [{ key: 'name' as const, desc: false }];
    const named = { kind: 'text' as const, field: 'name' as const, value: 'filter-', substring: true };
    const all = await listLivePackageIds(server.ctx, repoId, [[named]], byName, window);
    expect(all).toEqual({ ids: [a.slug_perm, b.slug_perm], count: 2 });
    const notBlue = await listLivePackageIds(
      server.ctx,
      repoId,
      [[named, { kind: 'not', of: { kind: 'tag', value: 'blue' } }]],
      byName,
      window,
    );
    expect(notBlue.ids).toEqual([b.slug_perm]);
    const either = await listLivePackageIds(
      server.ctx,
      repoId,
      [
        [{ kind: 'tag', value: 'blue' }],
        [{ kind: 'text', field: 'version', value: '2.0.0', substring: false }],
      ],
      [{ key: 'name', desc: true }],
      window,
    );
    expect(either.ids).toEqual([b.slug_perm, a.slug_perm]);
    expect(
      await packageMatchesFilter(server.ctx, a.slug_perm, [
        [{ kind: 'checksum', value: a.checksum_sha256! }],
      ]),
    ).toBe(true);
    expect(await packageMatchesFilter(server.ctx, a.slug_perm, [[{ kind: 'status', status: null }]])).toBe(
      false,
    );
    expect(await packageMatchesFilter(server.ctx, a.slug_perm, [[{ kind: 'any', of: [] }]])).toBe(false);
    expect(await packageMatchesFilter(server.ctx, a.slug_perm, [])).toBe(true);
  });

  it('lists to an anonymous reader only the Public repositories', async () => {
    await api(server, 'POST', `/repos/${server.org}/`, { name: 'store-pub', repository_type_str: 'Public' });
    const anonymous = await listReadableRepos(server.ctx, null, orgId, { offset: 0, size: 100 });
    expect(anonymous.rows.map((r) => r.slug)).toEqual(['store-pub']);
    expect(anonymous.count).toBe(1);
    const manager = { orgId, role: 'Manager' as const, serviceId: 'nobody' };
    const all = await listReadableRepos(server.ctx, manager, orgId, { offset: 0, size: 100 });
    expect(all.rows.map((r) => r.slug)).toEqual(expect.arrayContaining(['store-dev', 'store-pub']));
    expect(all.rows.every((r) => typeof r.promotion_rules === 'object')).toBe(true);
  });

  it('writes audit context as an object and reads it back parsed, filtered by facet', async () => {
    const object = `object-${crypto.randomBytes(4).toString('hex')}`;
    await insertAuditEvent(server.ctx, {
      id: crypto.randomBytes(8).toString('hex'),
      org_id: orgId,
      repo_id: null,
      event: 'store.tested',
      event_kind: 'action',
      event_at: new Date().toISOString(),
      actor: 'system',
      actor_kind: 'system',
      actor_slug_perm: null,
      actor_ip_address: null,
      object,
      object_kind: 'test',
      object_slug_perm: object,
      target: null,
      target_kind: null,
      target_slug_perm: null,
      context: { from: 'acme/dev', to: 'acme/prod' },
    });
    const page = await listAuditEvents(
      server.ctx,
      { orgId },
      [
        { facet: 'object', value: object.slice(0, 10), prefix: true },
        { facet: 'event', value: 'store.tested', prefix: false },
      ],
      { offset: 0, size: 10 },
    );
    expect(page.count).toBe(1);
    expect(page.rows[0]!.context).toEqual({ from: 'acme/dev', to: 'acme/prod' });
    expect(await findObjectEvents(server.ctx, object, 'store.tested')).toEqual([
      { context: { from: 'acme/dev', to: 'acme/prod' }, event_at: page.rows[0]!.event_at },
    ]);
  });

  it('lists teams for a member as only the Visible ones and its own', async () => {
    const hidden = await api(server, 'POST', `/orgs/${server.org}/teams/`, {
      name: 'store-hidden',
      visibility: 'Hidden',
    });
    expect(hidden.status).toBe(201);
    const everyone = await listTeams(server.ctx, orgId, null, { offset: 0, size: 100 });
    expect(everyone.rows.map((t) => t.slug)).toContain('store-hidden');
    const member = await listTeams(server.ctx, orgId, 'not-a-member', { offset: 0, size: 100 });
    expect(member.rows.map((t) => t.slug)).not.toContain('store-hidden');
    expect(await teamMembershipsOf(server.ctx, [])).toEqual([]);
  });
});
