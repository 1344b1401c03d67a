import type { AuditLogEntry } from '../../src/api/audit.js';
import type { Package } from '../../src/api/packages.js';
import type { PackageEvent } from '../../src/server/domain/context.js';
import type { Repository } from '../../src/api/repos.js';
import { startDevIssuer, type DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import { getPackage, setScanStatus } from '../../src/server/store/packages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, BACKENDS, createAccount, createRepo, startServerOn, uploadPackage } from '../helpers/upload.js';

interface Seen {
  event: PackageEvent;
  packageId: string;
  extra?: Record<string, unknown>;
}

describe.each(BACKENDS)('package promotion, tags, quarantine and lifecycle on %s', (backend) => {
  let server: TestServer;
  let writer: string;
  let reader: string;
  let devAdmin: string;
  const events: Seen[] = [];
  let counter = 0;

  beforeAll(async () => {
    server = await startServerOn(backend);
    for (const repo of ['dev', 'staging', 'prod']) await createRepo(server, repo);
    writer = await createAccount(server, 'writer', { dev: 'Write', staging: 'Write', prod: 'Read' });
    reader = await createAccount(server, 'reader', { dev: 'Read' });
    devAdmin = await createAccount(server, 'dev-admin', { dev: 'Admin', prod: 'Write' });
    server.ctx.listeners.push((event, packageId, extra) => {
      events.push({ event, packageId, ...(extra ? { extra } : {}) });
    });
  }, 60_000);
  afterAll(async () => server.close());

  async function rawPackage(fields: Record<string, unknown> = {}, repo = 'dev'): Promise<Package> {
    counter += 1;
    const res = await uploadPackage<Package>(
      server,
      repo,
      'raw',
      Buffer.from(`bytes ${counter}`),
      `f${counter}.bin`,
      {
        name: `pkg${counter}`,
        version: '1.0',
        ...fields,
      },
    );
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body;
  }

  const post = <T>(path: string, body?: unknown, key: string | null = server.adminKey) =>
    api<T>(server, 'POST', path, body, key);
  const trail = async (repo: string, id: string) =>
    (await api<AuditLogEntry[]>(server, 'GET', `/packages/acme/${repo}/${id}/audit-log/`)).body;

  it('announces package.created and package.synced after a create', async () => {
    const pkg = await rawPackage();
    expect(events.filter((e) => e.packageId === pkg.slug_perm).map((e) => e.event)).toEqual([
      'package.created',
      'package.synced',
    ]);
  });

  describe('copy', () => {
    it('makes a new package in the destination that shares the blob, keeps the tags and starts its trail with the copy', async () => {
      const src = await rawPackage({ tags: 'qa' });
      await post(`/packages/acme/dev/${src.slug_perm}/tag/`, {
        action: 'add',
        tags: ['signed'],
        is_immutable: true,
      });
      const res = await post<Package>(
        `/packages/acme/dev/${src.slug}/copy/`,
        { destination: 'staging' },
        writer,
      );
      expect(res.status).toBe(200);
      const copy = res.body;
      expect(copy.slug_perm).not.toBe(src.slug_perm);
      expect(copy).toMatchObject({
        repository: 'staging',
        origin_repository: 'dev',
        name: src.name,
        version: src.version,
        checksum_sha256: src.checksum_sha256,
        status_str: 'Completed',
        is_sync_completed: true,
        tags: { info: ['qa', 'signed'], version: [] },
        tags_immutable: { info: ['signed'], version: [] },
        freeable_storage: 0,
        security_scan_status: 'Awaiting Security Scan',
      });
      expect(copy.cdn_url).toBe(`${server.url}/dl/acme/staging/${copy.slug_perm}/${src.filename}`);
      const rows = [
        await getPackage(server.ctx, src.slug_perm),
        await getPackage(server.ctx, copy.slug_perm),
      ];
      expect(new Set(rows.map((r) => r.blob_sha256))).toEqual(new Set([src.checksum_sha256]));
      // The CLI waits on the new slug in the destination.
      const status = await api(server, 'GET', `/packages/acme/staging/${copy.slug}/status/`);
      expect(status.status).toBe(200);
      expect((await api(server, 'GET', `/packages/acme/dev/${src.slug_perm}/`)).status).toBe(200);
      const copyTrail = await trail('staging', copy.slug_perm);
      expect(copyTrail[0]).toMatchObject({
        event: 'package.copied',
        object_slug_perm: copy.slug_perm,
        context: { summary: expect.stringMatching(/^copied from acme\/dev\//) },
      });
      expect((await trail('dev', src.slug_perm)).map((e) => e.event)).toContain('package.copied_to');
      expect(events.filter((e) => e.packageId === copy.slug_perm).map((e) => e.event)).toEqual([
        'package.created',
        'package.synced',
      ]);
    });

    it('refuses a version the destination already has unless republish replaces it', async () => {
      const src = await rawPackage();
      const first = await post<Package>(`/packages/acme/dev/${src.slug_perm}/copy/`, {
        destination: 'staging',
      });
      expect(first.status).toBe(200);
      const again = await post(`/packages/acme/dev/${src.slug_perm}/copy/`, { destination: 'staging' });
      expect(again).toMatchObject({
        status: 409,
        body: { code: 'duplicate_package', detail: expect.stringMatching(/already exists in acme\/staging/) },
      });
      const replaced = await post<Package>(`/packages/acme/dev/${src.slug_perm}/copy/`, {
        destination: 'staging',
        republish: true,
      });
      expect(replaced.status).toBe(200);
      expect((await api(server, 'GET', `/packages/acme/staging/${first.body.slug_perm}/`)).status).toBe(404);
      expect((await api(server, 'GET', `/packages/acme/staging/${replaced.body.slug_perm}/`)).status).toBe(
        200,
      );
    });

    it('needs Read on the source and Write on the destination', async () => {
      const src = await rawPackage();
      expect(
        (await post(`/packages/acme/dev/${src.slug_perm}/copy/`, { destination: 'staging' }, reader)).status,
      ).toBe(403);
      expect(
        (await post(`/packages/acme/dev/${src.slug_perm}/copy/`, { destination: 'prod' }, writer)).status,
      ).toBe(403);
      expect(
        (await post(`/packages/acme/dev/${src.slug_perm}/copy/`, { destination: 'prod' }, null)).status,
      ).toBe(401);
    });

    it('refuses its own repository and names a missing destination', async () => {
      const src = await rawPackage();
      const same = await post(`/packages/acme/dev/${src.slug_perm}/copy/`, { destination: 'dev' });
      expect(same).toMatchObject({ status: 422, body: { fields: { destination: [expect.any(String)] } } });
      const missing = await post(`/packages/acme/dev/${src.slug_perm}/copy/`, { destination: 'nowhere' });
      expect(missing).toMatchObject({ status: 404, body: { detail: expect.stringMatching(/nowhere/) } });
    });
  });

  describe('move', () => {
    it('moves the package itself, keeping its slug_perm, tags and trail', async () => {
      const src = await rawPackage({ tags: 'rc' });
      const res = await post<Package>(
        `/packages/acme/dev/${src.slug}/move/`,
        { destination: 'prod' },
        devAdmin,
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        slug_perm: src.slug_perm,
        repository: 'prod',
        origin_repository: 'dev',
        tags: { info: ['rc'], version: [] },
        is_sync_completed: true,
      });
      expect((await api(server, 'GET', `/packages/acme/dev/${src.slug_perm}/`)).status).toBe(404);
      expect((await api(server, 'GET', `/packages/acme/prod/${res.body.slug}/`)).status).toBe(200);
      expect((await trail('prod', src.slug_perm)).map((e) => e.event)).toEqual([
        'package.created',
        'package.moved',
      ]);
      const again = await post(`/packages/acme/dev/${src.slug_perm}/move/`, { destination: 'staging' });
      expect(again).toMatchObject({
        status: 409,
        body: { code: 'conflict', detail: expect.stringMatching(/moved to acme\/prod/) },
      });
    });

    it('needs Admin on the source', async () => {
      const src = await rawPackage();
      const res = await post(`/packages/acme/dev/${src.slug_perm}/move/`, { destination: 'staging' }, writer);
      expect(res).toMatchObject({ status: 403, body: { code: 'permission_denied' } });
    });

    it('refuses a version the destination already has', async () => {
      const src = await rawPackage();
      await post(`/packages/acme/dev/${src.slug_perm}/copy/`, { destination: 'staging' });
      const res = await post(`/packages/acme/dev/${src.slug_perm}/move/`, { destination: 'staging' });
      expect(res).toMatchObject({ status: 409, body: { code: 'duplicate_package' } });
      expect((await api(server, 'GET', `/packages/acme/dev/${src.slug_perm}/`)).status).toBe(200);
    });
  });

  describe('tags', () => {
    it('adds, replaces, removes and clears tags, in any letter case, announcing old and new tags', async () => {
      const pkg = await rawPackage({ tags: 'a' });
      const path = `/packages/acme/dev/${pkg.slug_perm}/tag/`;
      const add = await post<Package>(path, { action: 'add', tags: ['b', 'c'], is_immutable: false }, writer);
      expect(add.body.tags).toEqual({ info: ['a', 'b', 'c'], version: [] });
      expect((await post<Package>(path, { action: 'REPLACE', tags: 'c,d' }, writer)).body.tags.info).toEqual([
        'c',
        'd',
      ]);
      expect((await post<Package>(path, { action: 'Remove', tags: ['c'] }, writer)).body.tags.info).toEqual([
        'd',
      ]);
      expect((await post<Package>(path, { action: 'clear' }, writer)).body.tags).toEqual({
        info: [],
        version: [],
      });
      const updates = events.filter(
        (e) => e.packageId === pkg.slug_perm && e.event === 'package.tags_updated',
      );
      expect(updates).toHaveLength(4);
      expect(updates[0]!.extra).toEqual({
        old_tags: { info: ['a'], version: [] },
        new_tags: { info: ['a', 'b', 'c'], version: [] },
      });
      const tagEvents = (await trail('dev', pkg.slug_perm)).filter((e) => e.event === 'package.tags_updated');
      expect(tagEvents).toHaveLength(4);
    });

    it('lets only a repository Admin remove an immutable tag', async () => {
      const pkg = await rawPackage();
      const path = `/packages/acme/dev/${pkg.slug_perm}/tag/`;
      const add = await post<Package>(path, { action: 'add', tags: ['release'], is_immutable: true }, writer);
      expect(add.body.tags_immutable).toEqual({ info: ['release'], version: [] });
      for (const body of [
        { action: 'remove', tags: ['release'] },
        { action: 'clear' },
        { action: 'replace', tags: ['x'] },
      ]) {
        const denied = await post(path, body, writer);
        expect(denied).toMatchObject({
          status: 403,
          body: { detail: expect.stringMatching(/'release' is immutable/) },
        });
      }
      const removed = await post<Package>(path, { action: 'remove', tags: ['release'] }, devAdmin);
      expect(removed.body.tags).toEqual({ info: [], version: [] });
    });

    it('refuses an unknown action and a Read-only caller', async () => {
      const pkg = await rawPackage();
      const path = `/packages/acme/dev/${pkg.slug_perm}/tag/`;
      expect(await post(path, { action: 'paint', tags: ['x'] })).toMatchObject({
        status: 422,
        body: { fields: { action: [expect.stringMatching(/Add, Clear, Replace, Remove/)] } },
      });
      expect((await post(path, { action: 'add', tags: ['x'] }, reader)).status).toBe(403);
    });
  });

  describe('quarantine', () => {
    it('quarantines on a bodyless POST, refuses downloads with 403, and releases on restore', async () => {
      const pkg = await rawPackage();
      const path = `${server.url}/packages/acme/dev/${pkg.slug_perm}/quarantine/`;
      // The official CLI sends no body but a JSON content type.
      const res = await fetch(path, {
        method: 'POST',
        headers: { 'X-Api-Key': server.adminKey, 'Content-Type': 'application/json', 'Content-Length': '0' },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        is_quarantined: true,
        status: 5,
        status_str: 'Quarantined',
        is_downloadable: false,
        is_copyable: false,
      });
      const download = await fetch(pkg.cdn_url, { headers: { 'X-Api-Key': server.adminKey } });
      expect(download.status).toBe(403);
      expect(await download.json()).toMatchObject({ code: 'quarantined' });
      const twice = await post(`/packages/acme/dev/${pkg.slug_perm}/quarantine/`, {});
      expect(twice).toMatchObject({
        status: 409,
        body: { detail: expect.stringMatching(/^You cannot quarantine this package at this point in time/) },
      });
      const copy = await post(`/packages/acme/dev/${pkg.slug_perm}/copy/`, { destination: 'staging' });
      expect(copy).toMatchObject({ status: 409, body: { detail: expect.stringMatching(/quarantined/) } });
      const released = await post<Package>(`/packages/acme/dev/${pkg.slug_perm}/quarantine/`, {
        restore: true,
      });
      expect(released.body).toMatchObject({ is_quarantined: false, status: 4, status_str: 'Completed' });
      expect((await fetch(pkg.cdn_url, { headers: { 'X-Api-Key': server.adminKey } })).status).toBe(200);
      const notQuarantined = await post(`/packages/acme/dev/${pkg.slug_perm}/quarantine/`, { release: true });
      expect(notQuarantined).toMatchObject({
        status: 409,
        body: { detail: "You cannot restore a package that's not quarantined." },
      });
      expect(
        events
          .filter((e) => e.packageId === pkg.slug_perm)
          .map((e) => e.event)
          .slice(-2),
      ).toEqual(['package.quarantined', 'package.released']);
    });

    it('takes a POST with no body at all and needs Admin', async () => {
      const pkg = await rawPackage();
      const path = `${server.url}/packages/acme/dev/${pkg.slug_perm}/quarantine/`;
      expect((await fetch(path, { method: 'POST', headers: { 'X-Api-Key': writer } })).status).toBe(403);
      expect((await fetch(path, { method: 'POST', headers: { 'X-Api-Key': server.adminKey } })).status).toBe(
        200,
      );
    });
  });

  describe('republish cannot walk around delete, quarantine or immutable tags', () => {
    /** Uploads other bytes as the same name and version with `republish`, as `key`. */
    const reupload = async (pkg: Package, key: string, repo = 'dev') => {
      counter += 1;
      return uploadPackage<Package & { code?: string; detail?: string }>(
        server,
        repo,
        'raw',
        Buffer.from(`replacement bytes ${counter}`),
        `r${counter}.bin`,
        { name: pkg.name, version: pkg.version, republish: true },
        key,
      );
    };
    const live = async (repo: string, name: string) =>
      (
        await api<Package[]>(
          server,
          'GET',
          `/packages/acme/${repo}/?query=${encodeURIComponent(`name:^${name}$`)}`,
        )
      ).body;
    const download = async (pkg: Package) =>
      (await fetch(pkg.cdn_url, { headers: { 'X-Api-Key': server.adminKey } })).status;

    it('refuses a Write key replacing an upload, since deleting it needs Admin', async () => {
      const pkg = await rawPackage();
      const res = await reupload(pkg, writer);
      expect(res).toMatchObject({
        status: 403,
        body: {
          code: 'permission_denied',
          detail: expect.stringMatching(/needs Admin on acme\/dev as deleting it does/),
        },
      });
      expect((await live('dev', pkg.name)).map((p) => p.slug_perm)).toEqual([pkg.slug_perm]);
      expect((await trail('dev', pkg.slug_perm)).map((e) => e.event)).toEqual(['package.created']);
    });

    it('refuses to replace a quarantined upload, for an Admin too, and its bytes stay blocked', async () => {
      const pkg = await rawPackage();
      expect((await post(`/packages/acme/dev/${pkg.slug_perm}/quarantine/`, {})).status).toBe(200);
      expect((await reupload(pkg, writer)).body).toMatchObject({ code: 'permission_denied' });
      const asAdmin = await reupload(pkg, server.adminKey);
      expect(asAdmin).toMatchObject({
        status: 409,
        body: { code: 'package_locked', detail: expect.stringMatching(/is quarantined.*release it first/) },
      });
      expect(await live('dev', pkg.name)).toEqual([
        expect.objectContaining({ slug_perm: pkg.slug_perm, is_quarantined: true }),
      ]);
      expect(await download(pkg)).toBe(403);
      expect(events.filter((e) => e.packageId === pkg.slug_perm).at(-1)?.event).toBe('package.quarantined');
    });

    it('refuses to replace an immutably tagged upload, for an Admin too', async () => {
      const pkg = await rawPackage();
      await post(
        `/packages/acme/dev/${pkg.slug_perm}/tag/`,
        { tags: ['release'], is_immutable: true },
        writer,
      );
      expect((await reupload(pkg, writer)).status).toBe(403);
      expect(await reupload(pkg, devAdmin)).toMatchObject({
        status: 409,
        body: { code: 'package_locked', detail: expect.stringMatching(/immutable tag 'release'/) },
      });
      expect((await live('dev', pkg.name)).map((p) => p.slug_perm)).toEqual([pkg.slug_perm]);
    });

    it('lets an Admin replace a plain upload, and both trails name the other package', async () => {
      const pkg = await rawPackage();
      const res = await reupload(pkg, devAdmin);
      expect(res.status).toBe(201);
      const fresh = res.body;
      expect((await live('dev', pkg.name)).map((p) => p.slug_perm)).toEqual([fresh.slug_perm]);
      // Both events share one instant, so the trail's order between them is not asserted.
      const newTrail = await trail('dev', fresh.slug_perm);
      expect(newTrail.map((e) => e.event).sort()).toEqual(['package.created', 'package.republished']);
      expect(newTrail.find((e) => e.event === 'package.republished')?.context).toMatchObject({
        replaced: { repository: 'acme/dev', slug_perm: pkg.slug_perm, slug: pkg.slug },
        summary: expect.stringContaining(pkg.slug_perm),
      });
      const old = await server.ctx.db
        .selectFrom('audit_events')
        .select(['event', 'context'])
        .where('object_slug_perm', '=', pkg.slug_perm)
        .orderBy('event_at')
        .execute();
      expect(old.at(-1)?.event).toBe('package.deleted');
      expect(JSON.parse(old.at(-1)!.context)).toMatchObject({ replaced_by: fresh.slug_perm });
    });

    it('applies the same rules to a copy with republish into the destination', async () => {
      const src = await rawPackage();
      const copy = `/packages/acme/dev/${src.slug_perm}/copy/`;
      const first = await post<Package>(copy, { destination: 'staging' }, writer);
      expect(first.status).toBe(200);
      const target = first.body;
      expect(await post(copy, { destination: 'staging', republish: true }, writer)).toMatchObject({
        status: 403,
        body: { code: 'permission_denied', detail: expect.stringMatching(/acme\/staging/) },
      });
      expect((await post(`/packages/acme/staging/${target.slug_perm}/quarantine/`, {})).status).toBe(200);
      expect(await post(copy, { destination: 'staging', republish: true })).toMatchObject({
        status: 409,
        body: { code: 'package_locked', detail: expect.stringMatching(/quarantined/) },
      });
      expect(await download(target)).toBe(403);
      await post(`/packages/acme/staging/${target.slug_perm}/quarantine/`, { release: true });
      await post(`/packages/acme/staging/${target.slug_perm}/tag/`, { tags: ['ga'], is_immutable: true });
      expect(await post(copy, { destination: 'staging', republish: true })).toMatchObject({
        status: 409,
        body: { code: 'package_locked', detail: expect.stringMatching(/immutable tag 'ga'/) },
      });
      expect((await live('staging', src.name)).map((p) => p.slug_perm)).toEqual([target.slug_perm]);
      await post(`/packages/acme/staging/${target.slug_perm}/tag/`, { action: 'remove', tags: ['ga'] });
      const replaced = await post<Package>(copy, { destination: 'staging', republish: true });
      expect(replaced.status).toBe(200);
      expect((await trail('staging', replaced.body.slug_perm)).map((e) => e.event).sort()).toEqual([
        'package.copied',
        'package.republished',
      ]);
    });
  });

  describe('resync, scan and delete', () => {
    it('resyncs (Admin) and announces package.synced', async () => {
      const pkg = await rawPackage();
      const res = await post<Package>(`/packages/acme/dev/${pkg.slug}/resync/`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        slug_perm: pkg.slug_perm,
        status_str: 'Completed',
        is_sync_completed: true,
      });
      expect(events.filter((e) => e.packageId === pkg.slug_perm).map((e) => e.event)).toEqual([
        'package.created',
        'package.synced',
        'package.synced',
      ]);
      expect((await post(`/packages/acme/dev/${pkg.slug}/resync/`, undefined, writer)).status).toBe(403);
    });

    it('schedules a scan for a Read caller and announces nothing', async () => {
      const pkg = await rawPackage();
      await setScanStatus(server.ctx, pkg.slug_perm, 'Scan Detected No Vulnerabilities');
      const before = events.length;
      const res = await post<Package>(`/packages/acme/dev/${pkg.slug_perm}/scan/`, undefined, reader);
      expect(res.status).toBe(200);
      expect(res.body.security_scan_status).toBe('Awaiting Security Scan');
      expect(events.length).toBe(before);
      expect((await trail('dev', pkg.slug_perm)).map((e) => e.event)).toContain('package.scan_requested');
    });

    it('deletes (Admin) softly: the package is gone from reads and lists, its events announced', async () => {
      const pkg = await rawPackage();
      expect(
        (await api(server, 'DELETE', `/packages/acme/dev/${pkg.slug_perm}/`, undefined, writer)).status,
      ).toBe(403);
      expect((await api(server, 'DELETE', `/packages/acme/dev/${pkg.slug_perm}/`)).status).toBe(204);
      expect((await api(server, 'GET', `/packages/acme/dev/${pkg.slug_perm}/`)).status).toBe(404);
      expect((await api(server, 'DELETE', `/packages/acme/dev/${pkg.slug_perm}/`)).status).toBe(404);
      expect(events.filter((e) => e.packageId === pkg.slug_perm).at(-1)?.event).toBe('package.deleted');
      expect((await getPackage(server.ctx, pkg.slug_perm)).deleted_at).not.toBeNull();
    });
  });
});

describe('promotion rules: what a package must have been built by to enter a repository', () => {
  let server: TestServer;
  let issuer: DevIssuer;
  let counter = 0;
  const MAIN_ONLY = { ref: 'refs/heads/main', repository: 'acme/app' };

  beforeAll(async () => {
    server = await startTestServer(
      { allowLoopbackIssuers: true, limits: { requestsPerHour: 0 } },
      { background: false },
    );
    issuer = await startDevIssuer({ claims: { repository: 'acme/app', repository_owner: 'acme' } });
    for (const repo of ['dev', 'staging', 'prod']) await createRepo(server, repo);
    await createAccount(server, 'ci', { dev: 'Write' });
    const provider = await api(server, 'POST', '/orgs/acme/openid-connect/', {
      name: 'Local CI',
      enabled: true,
      provider_url: issuer.issuer,
      claims: { repository_owner: 'acme' },
      service_accounts: ['ci'],
    });
    expect(provider.status).toBe(201);
    const rules = await api(server, 'PATCH', '/repos/acme/prod/', { promotion_rules: MAIN_ONLY });
    expect(rules.status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await issuer.close();
  });

  /** A package uploaded to dev by a CI run on `ref`, through the OIDC exchange (or with the admin key). */
  async function builtOn(ref: string | null): Promise<Package> {
    let key = server.adminKey;
    if (ref) {
      const exchanged = await api<{ token: string }>(server, 'POST', '/openid/acme/', {
        oidc_token: await issuer.sign({ ref }),
        service_slug: 'ci',
      });
      expect(exchanged.status).toBe(200);
      key = exchanged.body.token;
    }
    counter += 1;
    const res = await uploadPackage<Package>(
      server,
      'dev',
      'raw',
      Buffer.from(`build ${counter}`),
      `b${counter}.bin`,
      { name: `app${counter}`, version: '1.0' },
      key,
    );
    expect(res.status).toBe(201);
    return res.body;
  }
  const promote = (pkg: Package, how: 'copy' | 'move', destination: string, from = 'dev') =>
    api<Package & { code?: string; detail?: string }>(
      server,
      'POST',
      `/packages/acme/${from}/${pkg.slug_perm}/${how}/`,
      { destination },
    );

  it('refuses the admin key copying a feature-branch build into a repository that wants main, naming rule and value', async () => {
    const feature = await builtOn('refs/heads/feature');
    expect(feature.identity).toMatchObject({ ref: 'refs/heads/feature', repository: 'acme/app' });
    const res = await promote(feature, 'copy', 'prod');
    expect(res).toMatchObject({
      status: 403,
      body: {
        code: 'promotion_rule_failed',
        detail: expect.stringMatching(
          /^acme\/prod accepts only .*ref = 'refs\/heads\/main'.*its ref is 'refs\/heads\/feature'/,
        ),
      },
    });
    const inProd = await api<Package[]>(server, 'GET', '/packages/acme/prod/');
    expect(inProd.body.map((p) => p.name)).not.toContain(feature.name);
  });

  it('copies the build from main', async () => {
    const main = await builtOn('refs/heads/main');
    const res = await promote(main, 'copy', 'prod');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ repository: 'prod', identity: { ref: 'refs/heads/main' } });
  });

  it('checks a move the same way, and leaves the refused package where it was', async () => {
    const feature = await builtOn('refs/heads/feature');
    expect((await promote(feature, 'move', 'prod')).body).toMatchObject({ code: 'promotion_rule_failed' });
    expect((await api(server, 'GET', `/packages/acme/dev/${feature.slug_perm}/`)).status).toBe(200);
    const main = await builtOn('refs/heads/main');
    expect(await promote(main, 'move', 'prod')).toMatchObject({ status: 200, body: { repository: 'prod' } });
  });

  it('keeps the identity along the way: a feature build copied to a repository without rules still cannot reach prod', async () => {
    const feature = await builtOn('refs/heads/feature');
    const staged = await promote(feature, 'copy', 'staging');
    expect(staged.status).toBe(200);
    expect((await promote(staged.body, 'copy', 'prod', 'staging')).body).toMatchObject({
      code: 'promotion_rule_failed',
    });
  });

  it('never passes a package uploaded with a plain API key', async () => {
    const plain = await builtOn(null);
    expect(plain.identity).toBeNull();
    expect(await promote(plain, 'copy', 'prod')).toMatchObject({
      status: 403,
      body: { code: 'promotion_rule_failed', detail: expect.stringMatching(/has no build identity/) },
    });
  });

  it('shows the rules on the repository and audits their change with before and after', async () => {
    const got = await api<Repository>(server, 'GET', '/repos/acme/prod/');
    expect(got.body.promotion_rules).toEqual(MAIN_ONLY);
    expect((await api<Repository>(server, 'GET', '/repos/acme/dev/')).body.promotion_rules).toEqual({});
    const changed = await api<Repository>(server, 'PATCH', '/repos/acme/staging/', {
      promotion_rules: { ref: 'refs/tags/v.*', workflow_ref: 'acme/app/.github/workflows/release.yml@.*' },
    });
    expect(changed.status).toBe(200);
    const cleared = await api<Repository>(server, 'PATCH', '/repos/acme/staging/', { promotion_rules: {} });
    expect(cleared.body.promotion_rules).toEqual({});
    const log = await api<AuditLogEntry[]>(
      server,
      'GET',
      `/audit-log/acme/staging/?query=${encodeURIComponent('event:repository.updated')}`,
    );
    const contexts = log.body.map((e) => e.context.changes);
    expect(contexts).toEqual(
      expect.arrayContaining([
        {
          promotion_rules: {
            from: {},
            to: { ref: 'refs/tags/v.*', workflow_ref: 'acme/app/.github/workflows/release.yml@.*' },
          },
        },
        {
          promotion_rules: {
            from: { ref: 'refs/tags/v.*', workflow_ref: 'acme/app/.github/workflows/release.yml@.*' },
            to: {},
          },
        },
      ]),
    );
  });

  it('refuses an unknown field, a misplaced wildcard, a non-text value and a caller who is not Admin', async () => {
    const patch = (rules: unknown, key = server.adminKey) =>
      api<{ code: string; fields?: Record<string, string[]> }>(
        server,
        'PATCH',
        '/repos/acme/staging/',
        { promotion_rules: rules },
        key,
      );
    expect(await patch({ branch: 'main', ref: 'refs/heads/main' })).toMatchObject({
      status: 422,
      body: {
        code: 'validation_failed',
        fields: { 'promotion_rules.branch': [expect.stringMatching(/not a build-identity field/)] },
      },
    });
    expect(await patch({ ref: 'refs/*/main' })).toMatchObject({
      status: 422,
      body: { fields: { 'promotion_rules.ref': [expect.stringMatching(/wildcard/)] } },
    });
    expect(await patch({ ref: 5 })).toMatchObject({ status: 422, body: { code: 'validation_failed' } });
    expect(await patch(['ref'])).toMatchObject({ status: 422, body: { code: 'validation_failed' } });
    const ci = await createAccount(server, 'staging-writer', { staging: 'Write' });
    expect((await patch({ ref: 'refs/heads/main' }, ci)).status).toBe(403);
    expect((await api<Repository>(server, 'GET', '/repos/acme/staging/')).body.promotion_rules).toEqual({});
  });

  it('takes rules when a repository is created', async () => {
    const res = await api<Repository>(server, 'POST', '/repos/acme/', {
      name: 'release',
      promotion_rules: { repository: 'acme/app' },
    });
    expect(res).toMatchObject({ status: 201, body: { promotion_rules: { repository: 'acme/app' } } });
    const bad = await api(server, 'POST', '/repos/acme/', {
      name: 'release2',
      promotion_rules: { nope: 'x' },
    });
    expect(bad.status).toBe(422);
    expect((await api(server, 'GET', '/repos/acme/release2/')).status).toBe(404);
  });
});
