import crypto from 'node:crypto';
import { Package as PackageSchema, type Package, type PackageStatus } from '../../src/api/packages.js';
import type { Principal } from '../../src/server/domain/access.js';
import type { TestServer } from '../helpers/server.js';
import {
  api,
  BACKENDS,
  createAccount,
  createRepo,
  startServerOn,
  sendFile,
  uploadPackage,
} from '../helpers/upload.js';
import {
  coreMetadata,
  makeTar,
  makeZip,
  npmTarball,
  projectHeaders,
  sdist,
  wheel,
} from '../fixtures/packages/archives.js';

const digest = (algorithm: string, bytes: Buffer): string =>
  crypto.createHash(algorithm).update(bytes).digest('hex');

describe.each(BACKENDS)('package creation on %s', (backend) => {
  let server: TestServer;
  let readerKey: string;
  beforeAll(async () => {
    server = await startServerOn(backend);
    await createRepo(server, 'dev');
    readerKey = await createAccount(server, 'reader', { dev: 'Read' });
  }, 60_000);
  afterAll(async () => server.close());

  async function listNames(): Promise<string[]> {
    const res = await api<Package[]>(server, 'GET', '/packages/acme/dev/?page_size=500');
    return res.body.map((p) => `${p.name}@${p.version ?? ''}`);
  }

  it('creates a raw package with the whole Package object, synchronised and awaiting a scan', async () => {
    const bytes = Buffer.from('raw payload ' + crypto.randomUUID());
    const res = await uploadPackage<Package>(server, 'dev', 'raw', bytes, 'tool.bin', {
      name: 'tool',
      version: '1.0.0',
      summary: 'A tool',
      description: 'It does things.',
      tags: 'qa, nightly',
    });
    expect(res.status).toBe(201);
    const pkg = res.body;
    for (const key of Object.keys(PackageSchema.properties)) expect(pkg).toHaveProperty(key);
    expect(pkg).toMatchObject({
      name: 'tool',
      version: '1.0.0',
      format: 'raw',
      filename: 'tool.bin',
      summary: 'A tool',
      description: 'It does things.',
      namespace: 'acme',
      repository: 'dev',
      origin_repository: 'dev',
      status: 4,
      status_str: 'Completed',
      stage: 9,
      stage_str: 'Fully Synchronised',
      is_sync_completed: true,
      is_sync_failed: false,
      sync_progress: 100,
      is_quarantined: false,
      is_downloadable: true,
      security_scan_status: 'Awaiting Security Scan',
      tags: { info: ['nightly', 'qa'], version: [] },
      tags_immutable: { info: [], version: [] },
      checksum_sha256: digest('sha256', bytes),
      checksum_md5: digest('md5', bytes),
      checksum_sha1: digest('sha1', bytes),
      size: bytes.length,
      num_files: 1,
      uploader: 'acme-admin',
      identity: null,
      epoch: null,
      distro: null,
    });
    expect(pkg.slug_perm).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(pkg.cdn_url).toBe(`${server.url}/dl/acme/dev/${pkg.slug_perm}/tool.bin`);
    expect(pkg.self_url).toBe(`${server.url}/packages/acme/dev/${pkg.slug_perm}/`);
    expect(pkg.status_url).toBe(`${pkg.self_url}status/`);
    expect(pkg.files[0]).toMatchObject({ filename: 'tool.bin', is_primary: true, cdn_url: pkg.cdn_url });
    expect(Date.parse(pkg.uploaded_at)).not.toBeNaN();

    const download = await fetch(pkg.cdn_url, { headers: { 'X-Api-Key': server.adminKey } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('reads one package by slug_perm or by slug, and its status with a self_url', async () => {
    const created = await uploadPackage<Package>(server, 'dev', 'raw', Buffer.from('abc'), 'lookup.txt', {
      version: '3',
    });
    const bySlugPerm = await api<Package>(server, 'GET', `/packages/acme/dev/${created.body.slug_perm}/`);
    const bySlug = await api<Package>(
      server,
      'GET',
      `/packages/acme/dev/${created.body.slug}/`,
      undefined,
      readerKey,
    );
    expect(bySlugPerm.body).toEqual(created.body);
    expect(bySlug.body.slug_perm).toBe(created.body.slug_perm);
    const underV1 = await api<Package>(server, 'GET', `/v1/packages/acme/dev/${created.body.slug}/`);
    expect(underV1.body.slug_perm).toBe(created.body.slug_perm);
    const status = await api<PackageStatus>(server, 'GET', `/packages/acme/dev/${created.body.slug}/status/`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      status: 4,
      status_str: 'Completed',
      stage_str: 'Fully Synchronised',
      is_sync_completed: true,
      sync_progress: 100,
      self_url: created.body.self_url,
    });
    expect(status.body).not.toHaveProperty('name');
    const missing = await api(server, 'GET', '/packages/acme/dev/nope/');
    expect(missing).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });

  it('creates an npm package from package/package.json and moves the dist-tag to the newest upload', async () => {
    const first = await uploadPackage<Package>(
      server,
      'dev',
      'npm',
      await npmTarball({ name: 'left-pad', version: '1.0.0', description: 'Pads.', license: 'MIT' }),
      'left-pad-1.0.0.tgz',
    );
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      name: 'left-pad',
      version: '1.0.0',
      format: 'npm',
      summary: 'Pads.',
      license: 'MIT',
      spdx_license: 'MIT',
      fully_qualified_name: 'left-pad@1.0.0',
      tags: { info: [], version: ['latest'] },
    });
    const second = await uploadPackage<Package>(
      server,
      'dev',
      'npm',
      await npmTarball({ name: 'left-pad', version: '1.1.0' }),
      'left-pad-1.1.0.tgz',
      { tags: ['stable'] },
    );
    expect(second.body.tags).toEqual({ info: ['stable'], version: ['latest'] });
    const old = await api<Package>(server, 'GET', `/packages/acme/dev/${first.body.slug_perm}/`);
    expect(old.body.tags).toEqual({ info: [], version: [] });
  });

  it('creates python packages from a wheel and from an sdist', async () => {
    const wheelRes = await uploadPackage<Package>(
      server,
      'dev',
      'python',
      await wheel(
        'demo_pkg',
        '2.0',
        coreMetadata(projectHeaders('Demo_Pkg', '2.0', [['License-Expression', 'BSD-3-Clause']])),
      ),
      'demo_pkg-2.0-py3-none-any.whl',
    );
    expect(wheelRes.status).toBe(201);
    expect(wheelRes.body).toMatchObject({
      name: 'Demo_Pkg',
      version: '2.0',
      format: 'python',
      license: 'BSD-3-Clause',
      package_type: 1,
      extension: '.whl',
    });
    const sdistRes = await uploadPackage<Package>(
      server,
      'dev',
      'python',
      await sdist('demo_pkg', '2.1', coreMetadata(projectHeaders('demo-pkg', '2.1', [['License', 'MIT']]))),
      'demo_pkg-2.1.tar.gz',
    );
    expect(sdistRes.status).toBe(201);
    expect(sdistRes.body).toMatchObject({
      version: '2.1',
      package_type: 2,
      type_display: 'source',
      extension: '.tar.gz',
    });
  });

  it('keeps the sdist and the wheel of one python version as two files of one release', async () => {
    const res = await uploadPackage<Package>(
      server,
      'dev',
      'python',
      await sdist('demo_pkg', '2.0', coreMetadata(projectHeaders('demo.pkg', '2.0'))),
      'demo_pkg-2.0.tar.gz',
    );
    expect(res).toMatchObject({ status: 201, body: { version: '2.0', filename: 'demo_pkg-2.0.tar.gz' } });
  });

  it('treats python names that normalise alike (PEP 503) as the same package, file by file', async () => {
    const res = await uploadPackage(
      server,
      'dev',
      'python',
      await wheel('demo_pkg', '2.0', coreMetadata(projectHeaders('demo.pkg', '2.0'))),
      'demo_pkg-2.0-py3-none-any.whl',
    );
    expect(res).toMatchObject({ status: 409, body: { code: 'duplicate_package' } });
  });

  it('refuses a second live package of the same version unless republish replaces it', async () => {
    const first = await uploadPackage<Package>(server, 'dev', 'raw', Buffer.from('v1'), 'dup.txt', {
      name: 'Dup',
      version: '1.0',
    });
    expect(first.status).toBe(201);
    const second = await uploadPackage(server, 'dev', 'raw', Buffer.from('v2'), 'dup.txt', {
      name: 'dup',
      version: '1.0',
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      code: 'duplicate_package',
      detail: expect.stringMatching(/already exists.*republish/),
    });
    // The refused create consumed nothing: the same upload works with republish.
    const third = await api<Package>(server, 'POST', '/packages/acme/dev/upload/raw/', {
      package_file: second.identifier,
      name: 'dup',
      version: '1.0',
      republish: true,
    });
    expect(third.status).toBe(201);
    expect((await api(server, 'GET', `/packages/acme/dev/${first.body.slug_perm}/`)).status).toBe(404);
    expect((await listNames()).filter((n) => n.toLowerCase() === 'dup@1.0')).toEqual(['dup@1.0']);
    const trail = await api<{ event: string }[]>(
      server,
      'GET',
      `/packages/acme/dev/${third.body.slug_perm}/audit-log/`,
    );
    // The replacement's own trail says what it replaced (both events share one instant).
    expect(trail.body.map((e) => e.event).sort()).toEqual(['package.created', 'package.republished']);
  });

  describe('bad input leaves no package and the upload unclaimed', () => {
    const cases: [string, string, () => Promise<Buffer>, string, Record<string, unknown>, number, string][] =
      [
        ['an unknown format', 'maven', async () => Buffer.from('x'), 'a.jar', {}, 422, 'unsupported_format'],
        [
          'a truncated npm tarball',
          'npm',
          async () =>
            (
              await makeTar([
                { name: 'package/package.json', content: '{"name":"t","version":"1.0.0"}' },
                { name: 'package/x.bin', content: crypto.randomBytes(30_000) },
              ])
            ).subarray(0, 20_000),
          't-1.0.0.tgz',
          {},
          422,
          'invalid_package',
        ],
        [
          'an npm file that is not an archive',
          'npm',
          async () => Buffer.from('hello world, not gzip'),
          'n.tgz',
          {},
          422,
          'invalid_package',
        ],
        [
          'malformed package.json',
          'npm',
          async () => npmTarball('{"name": "m", '),
          'm.tgz',
          {},
          422,
          'invalid_package',
        ],
        [
          'a package.json without a version',
          'npm',
          async () => npmTarball({ name: 'nov' }),
          'nov.tgz',
          {},
          422,
          'invalid_package',
        ],
        [
          'a wheel that is not a zip',
          'python',
          async () => Buffer.from('PK? no, just text'),
          'w-1.0-py3-none-any.whl',
          {},
          422,
          'invalid_package',
        ],
        [
          'a wheel without METADATA',
          'python',
          async () => makeZip([{ name: 'x/__init__.py', content: '' }]),
          'x-1.0-py3-none-any.whl',
          {},
          422,
          'invalid_package',
        ],
        [
          'an sdist without PKG-INFO',
          'python',
          async () => makeTar([{ name: 'x-1/setup.py', content: '' }]),
          'x-1.tar.gz',
          {},
          422,
          'invalid_package',
        ],
        [
          'a raw field that is too long',
          'raw',
          async () => Buffer.from('x'),
          'long.txt',
          { summary: 's'.repeat(300) },
          422,
          'validation_failed',
        ],
        [
          'a bad tag',
          'raw',
          async () => Buffer.from('x'),
          'tag.txt',
          { tags: 'has space' },
          422,
          'validation_failed',
        ],
      ];
    it.each(cases)('for %s', async (_case, format, make, filename, fields, status, code) => {
      const before = await listNames();
      const res = await uploadPackage(server, 'dev', format, await make(), filename, fields);
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ code, detail: expect.any(String) });
      expect(await listNames()).toEqual(before);
      const retry = await api<Package>(server, 'POST', '/packages/acme/dev/upload/raw/', {
        package_file: res.identifier,
        name: `retry-${crypto.randomUUID()}`,
      });
      expect(retry.status).toBe(201);
    });

    it('for a missing package_file, naming the field', async () => {
      const res = await api(server, 'POST', '/packages/acme/dev/upload/raw/', { name: 'x' });
      expect(res).toMatchObject({
        status: 422,
        body: { code: 'validation_failed', fields: { package_file: [expect.any(String)] } },
      });
    });

    it('for an upload identifier that does not exist', async () => {
      const res = await api(server, 'POST', '/packages/acme/dev/upload/raw/', {
        package_file: 'nosuchupload',
      });
      expect(res).toMatchObject({ status: 422, body: { fields: { package_file: [expect.any(String)] } } });
    });

    it('for an upload already used to create a package', async () => {
      const done = await uploadPackage(server, 'dev', 'raw', Buffer.from('once'), 'once.txt');
      expect(done.status).toBe(201);
      const again = await api(server, 'POST', '/packages/acme/dev/upload/raw/', {
        package_file: done.identifier,
        name: 'once-again',
      });
      expect(again).toMatchObject({ status: 410, body: { code: 'upload_expired' } });
    });

    it('for malformed JSON in the request', async () => {
      const res = await fetch(`${server.url}/packages/acme/dev/upload/raw/`, {
        method: 'POST',
        headers: { 'X-Api-Key': server.adminKey, 'Content-Type': 'application/json' },
        body: '{"package_file": ',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'invalid_json' });
    });
  });

  it('validates a create request as the official CLI sends it, with a local path, without creating anything', async () => {
    const before = await listNames();
    const ok = await api(server, 'POST', '/packages/acme/dev/validate-upload/raw/', {
      name: 'x',
      version: '1.0.0',
      package_file: '/home/me/build/file.bin',
    });
    expect(ok.status).toBe(204);
    expect(await listNames()).toEqual(before);
    const format = await api(server, 'POST', '/packages/acme/dev/validate-upload/deb/', {
      package_file: '/a.deb',
    });
    expect(format).toMatchObject({
      status: 422,
      body: { code: 'unsupported_format', detail: expect.stringMatching(/npm, python, raw/) },
    });
    const field = await api(server, 'POST', '/packages/acme/dev/validate-upload/npm/', {
      package_file: '/a.tgz',
      npm_dist_tag: '1.0.0',
    });
    expect(field).toMatchObject({ status: 422, body: { fields: { npm_dist_tag: [expect.any(String)] } } });
    const reader = await api(
      server,
      'POST',
      '/packages/acme/dev/validate-upload/raw/',
      { package_file: '/a' },
      readerKey,
    );
    expect(reader.status).toBe(403);
    const anonymous = await api(
      server,
      'POST',
      '/packages/acme/dev/validate-upload/raw/',
      { package_file: '/a' },
      null,
    );
    expect(anonymous.status).toBe(401);
  });

  it('refuses to create packages for a caller with Read only', async () => {
    const id = await sendFile(server, 'dev', Buffer.from('r'), 'r.txt');
    const res = await api(server, 'POST', '/packages/acme/dev/upload/raw/', { package_file: id }, readerKey);
    expect(res).toMatchObject({ status: 403, body: { code: 'permission_denied' } });
  });

  it('records the CI identity of an OIDC caller on the package and its audit trail', async () => {
    const admin = await server.ctx.db
      .selectFrom('services')
      .innerJoin('orgs', 'orgs.id', 'services.org_id')
      .select(['services.id', 'services.slug', 'services.name', 'orgs.id as org_id'])
      .where('services.slug', '=', 'acme-admin')
      .executeTakeFirstOrThrow();
    const identity = {
      issuer: 'https://token.example',
      subject: 'repo:acme/app:ref:refs/heads/main',
      run_id: '42',
    };
    const principal: Principal = {
      kind: 'service',
      serviceId: admin.id,
      serviceSlug: admin.slug,
      name: admin.name,
      orgId: admin.org_id,
      orgSlug: 'acme',
      role: 'Manager',
      tokenId: 'tok-1',
      identity,
    };
    server.ctx.resolvers.push(async (_ctx, credential) => (credential === 'ci-run-42' ? principal : null));
    const id = await sendFile(server, 'dev', Buffer.from('built in CI'), 'ci.bin', 'ci-run-42');
    const res = await api<Package>(
      server,
      'POST',
      '/packages/acme/dev/upload/raw/',
      { package_file: id },
      'ci-run-42',
    );
    expect(res.status).toBe(201);
    expect(res.body.identity).toEqual(identity);
    const trail = await api<{ context: { identity?: unknown } }[]>(
      server,
      'GET',
      `/packages/acme/dev/${res.body.slug_perm}/audit-log/`,
    );
    expect(trail.body[0]!.context.identity).toEqual(identity);
  });
});
