import crypto from 'node:crypto';
import { importAdvisories } from '../../../src/server/scan/advisories/import.js';
import { npmTarball } from '../../fixtures/packages/archives.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import {
  api,
  BACKENDS,
  createAccount,
  createRepo,
  startServerOn,
  uploadPackage,
} from '../../helpers/upload.js';
import { escapedName, gzipJson, npmCall, publish, publishBody } from './npm-helpers.js';

const NPM_ADVISORIES = new URL('../../fixtures/advisories/npm/all.zip', import.meta.url).pathname;
const ABBREVIATED = 'application/vnd.npm.install-v1+json';

type Packument = {
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<
    string,
    Record<string, unknown> & { dist: { tarball: string; integrity: string; shasum: string } }
  >;
  time?: Record<string, string>;
  _rev?: string;
};

let server: TestServer;
let now = new Date('2026-06-01T00:00:00Z');
let readerKey: string;

beforeAll(async () => {
  server = await startTestServer(
    { npm: { unpublishWindowSeconds: 3600 } },
    { background: false, clock: () => now },
  );
  await createRepo(server, 'dev');
  await createRepo(server, 'prod');
  const pub = await api(server, 'POST', `/repos/${server.org}/`, {
    name: 'open',
    slug: 'open',
    repository_type_str: 'Public',
  });
  expect(pub.status).toBe(201);
  readerKey = await createAccount(server, 'npm-reader', { dev: 'Read' });
  await importAdvisories(server.ctx.db, NPM_ADVISORIES);
}, 60_000);
afterAll(() => server.close());

describe('publish and read', () => {
  it('publishes a version that then appears in the full and abbreviated packuments and whose tarball matches its integrity', async () => {
    const { body, tarball } = await publishBody('left-pad', '1.0.0', {
      manifest: { dependencies: { tiny: '^1.0.0' } },
    });
    const put = await npmCall(server, 'dev', 'PUT', 'left-pad', { body });
    expect(put.status).toBe(201);

    const full = await npmCall<Packument>(server, 'dev', 'GET', 'left-pad');
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ _id: 'left-pad', name: 'left-pad', 'dist-tags': { latest: '1.0.0' } });
    expect(full.body.time).toHaveProperty(['1.0.0']);
    const v = full.body.versions['1.0.0']!;
    expect(v).toMatchObject({
      name: 'left-pad',
      version: '1.0.0',
      dependencies: { tiny: '^1.0.0' },
      license: 'MIT',
    });
    expect(v.dist.integrity).toBe(`sha512-${crypto.createHash('sha512').update(tarball).digest('base64')}`);
    expect(v.dist.shasum).toBe(crypto.createHash('sha1').update(tarball).digest('hex'));
    expect(v.dist.tarball).toBe(`${server.url}/npm/acme/dev/left-pad/-/left-pad-1.0.0.tgz`);

    const abbreviated = await npmCall<Packument>(server, 'dev', 'GET', 'left-pad', {
      headers: { Accept: `${ABBREVIATED}; q=1.0, application/json; q=0.8, */*` },
    });
    expect(abbreviated.headers.get('content-type')).toContain(ABBREVIATED);
    expect(abbreviated.body).not.toHaveProperty('time');
    expect(Object.keys(abbreviated.body.versions['1.0.0']!).sort()).toEqual([
      'dependencies',
      'dist',
      'name',
      'version',
    ]);

    const res = await fetch(v.dist.tarball, { headers: { Authorization: `Bearer ${server.adminKey}` } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(tarball)).toBe(true);
  });

  it('makes the published version a Package of format npm in the API', async () => {
    const list = await api<{ name: string; version: string; format: string; tags: { version: string[] } }[]>(
      server,
      'GET',
      '/packages/acme/dev/?query=name:left-pad',
    );
    expect(list.body).toEqual([
      expect.objectContaining({ name: 'left-pad', version: '1.0.0', format: 'npm' }),
    ]);
    expect(list.body[0]!.tags.version).toEqual(['latest']);
  });

  it('serves scoped names escaped (@scope%2fname) and unescaped (@scope/name), tarball included', async () => {
    expect((await publish(server, 'dev', '@acme/util', '2.0.0')).status).toBe(201);
    const escaped = await npmCall<Packument>(server, 'dev', 'GET', '@acme%2futil');
    const plain = await npmCall<Packument>(server, 'dev', 'GET', '@acme/util');
    expect(escaped.body.name).toBe('@acme/util');
    expect(plain.body).toEqual(escaped.body);
    const url = escaped.body.versions['2.0.0']!.dist.tarball;
    expect(url).toBe(`${server.url}/npm/acme/dev/@acme/util/-/util-2.0.0.tgz`);
    expect((await fetch(url, { headers: { Authorization: `Bearer ${server.adminKey}` } })).status).toBe(200);
  });

  it('shows a package pushed through the API in the packument, with the dist-tag it was pushed with', async () => {
    const tarball = await npmTarball({ name: 'pushed', version: '0.3.0', dependencies: { a: '1' } });
    const created = await uploadPackage(server, 'dev', 'npm', tarball, 'pushed-0.3.0.tgz', {
      npm_dist_tag: 'next',
    });
    expect(created.status).toBe(201);
    const doc = await npmCall<Packument>(server, 'dev', 'GET', 'pushed');
    expect(doc.body['dist-tags']).toEqual({ latest: '0.3.0', next: '0.3.0' });
    expect(doc.body.versions['0.3.0']!.dependencies).toEqual({ a: '1' });
  });

  it('makes a promoted copy installable from the destination registry at once', async () => {
    const list = await api<{ slug_perm: string }[]>(server, 'GET', '/packages/acme/dev/?query=name:left-pad');
    const copy = await api(server, 'POST', `/packages/acme/dev/${list.body[0]!.slug_perm}/copy/`, {
      destination: 'prod',
    });
    expect(copy.status).toBe(200);
    const doc = await npmCall<Packument>(server, 'prod', 'GET', 'left-pad');
    expect(doc.body.versions['1.0.0']!.dist.tarball).toBe(
      `${server.url}/npm/acme/prod/left-pad/-/left-pad-1.0.0.tgz`,
    );
    expect((await npmCall(server, 'prod', 'GET', 'left-pad/-/left-pad-1.0.0.tgz')).status).toBe(200);
  });

  it('keeps a quarantined version listed and refuses its tarball with 403 and the reason', async () => {
    expect((await publish(server, 'dev', 'held', '1.0.0')).status).toBe(201);
    const list = await api<{ slug_perm: string }[]>(server, 'GET', '/packages/acme/dev/?query=name:held');
    const q = await api(server, 'POST', `/packages/acme/dev/${list.body[0]!.slug_perm}/quarantine/`, {});
    expect(q.status).toBe(200);
    const doc = await npmCall<Packument>(server, 'dev', 'GET', 'held');
    expect(Object.keys(doc.body.versions)).toEqual(['1.0.0']);
    const tgz = await npmCall(server, 'dev', 'GET', 'held/-/held-1.0.0.tgz');
    expect(tgz.status).toBe(403);
    expect(tgz.body.error).toMatch(/quarantined/);
  });

  it('refuses a tarball it has served from memory once its version is quarantined', async () => {
    const { body, tarball } = await publishBody('kept', '1.0.0');
    expect((await npmCall(server, 'dev', 'PUT', 'kept', { body })).status).toBe(201);
    const download = async () => {
      const res = await fetch(`${server.url}/npm/acme/dev/kept/-/kept-1.0.0.tgz`, {
        headers: { authorization: `Bearer ${server.adminKey}` },
      });
      return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
    };
    for (let i = 0; i < 2; i++) expect(await download()).toEqual({ status: 200, bytes: tarball });
    const list = await api<{ slug_perm: string }[]>(server, 'GET', '/packages/acme/dev/?query=name:kept');
    const slug = list.body[0]!.slug_perm;
    expect((await api(server, 'POST', `/packages/acme/dev/${slug}/quarantine/`, {})).status).toBe(200);
    expect((await download()).status).toBe(403);
    const release = await api(server, 'POST', `/packages/acme/dev/${slug}/quarantine/`, { release: true });
    expect(release.status).toBe(200);
    expect(await download()).toEqual({ status: 200, bytes: tarball });
  });

  it('answers 404 {error} for a name the repository does not have', async () => {
    const res = await npmCall(server, 'dev', 'GET', 'nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatch(/'nothing-here' is not in acme\/dev/);
  });
});

describe('bad publishes store nothing', () => {
  async function versionsOf(name: string): Promise<string[]> {
    const res = await npmCall<Packument>(server, 'dev', 'GET', escapedName(name));
    return res.status === 404 ? [] : Object.keys(res.body.versions);
  }

  it('refuses a version already published with 409 and leaves it unchanged', async () => {
    const before = await npmCall<Packument>(server, 'dev', 'GET', 'left-pad');
    const again = await publish(server, 'dev', 'left-pad', '1.0.0', {
      manifest: { description: 'other bytes' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/Cannot publish over the previously published version left-pad@1.0.0/);
    expect((await npmCall<Packument>(server, 'dev', 'GET', 'left-pad')).body).toEqual(before.body);
  });

  it('refuses a tarball that does not match its declared integrity', async () => {
    const bogus = `sha512-${crypto.createHash('sha512').update('other').digest('base64')}`;
    const res = await publish(server, 'dev', 'bad-integrity', '1.0.0', { integrity: bogus });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/does not match its declared integrity.*nothing was stored/);
    expect(await versionsOf('bad-integrity')).toEqual([]);
  });

  it('refuses an attachment that is not base64, and takes one without padding', async () => {
    const { body, tarball } = await publishBody('not-base64', '1.0.0');
    const attachment = (body._attachments as Record<string, { data: string }>)['not-base64-1.0.0.tgz']!;
    attachment.data = `${tarball.toString('base64').slice(0, -8)}!${tarball.toString('base64').slice(-8)}`;
    const res = await npmCall(server, 'dev', 'PUT', 'not-base64', { body });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/data must be the tarball in base64/);
    expect(await versionsOf('not-base64')).toEqual([]);
    // A character replaced rather than added keeps the length a multiple of four: one outside
    // the alphabet, and one of the URL-safe alphabet that Node's decoder would take.
    const encoded = tarball.toString('base64');
    for (const odd of ['*', '-', '_']) {
      attachment.data = `${encoded.slice(0, 40)}${odd}${encoded.slice(41)}`;
      const refused = await npmCall(server, 'dev', 'PUT', 'not-base64', { body });
      expect([odd, refused.status, refused.body.error]).toEqual([
        odd,
        422,
        expect.stringMatching(/data must be the tarball in base64/),
      ]);
    }
    expect(await versionsOf('not-base64')).toEqual([]);
    attachment.data = tarball.toString('base64').replace(/=+$/, '');
    expect((await npmCall(server, 'dev', 'PUT', 'not-base64', { body })).status).toBe(201);
  });

  it('refuses a body whose name differs from the URL', async () => {
    const { body } = await publishBody('one-name', '1.0.0');
    const res = await npmCall(server, 'dev', 'PUT', 'other-name', { body });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/differs from the name in the URL \('other-name'\)/);
    expect(await versionsOf('other-name')).toEqual([]);
  });

  it('refuses a tarball whose package.json names another package', async () => {
    const tarball = await npmTarball({ name: 'smuggled', version: '1.0.0' });
    const res = await publish(server, 'dev', 'honest', '1.0.0', { tarball });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/package.json is smuggled@1.0.0, but the publish is for honest@1.0.0/);
    expect(await versionsOf('honest')).toEqual([]);
    expect(await versionsOf('smuggled')).toEqual([]);
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await npmCall(server, 'dev', 'PUT', 'broken', { raw: '{"name": "broken", ' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/Malformed JSON body/);
  });

  it('refuses a caller with Read only (403) and an anonymous one on a private repository (401)', async () => {
    const read = await publish(server, 'dev', 'not-allowed', '1.0.0', { token: readerKey });
    expect(read.status).toBe(403);
    expect(read.body.error).toEqual(expect.any(String));
    const anonymous = await npmCall(server, 'dev', 'GET', 'left-pad', { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBeNull();
    expect(anonymous.body.error).toEqual(expect.any(String));
    expect(await versionsOf('not-allowed')).toEqual([]);
  });

  it('lets anonymous callers read a public repository', async () => {
    expect((await publish(server, 'open', 'shared', '1.0.0')).status).toBe(201);
    const doc = await npmCall<Packument>(server, 'open', 'GET', 'shared', { token: null });
    expect(doc.status).toBe(200);
    const tgz = await npmCall(server, 'open', 'GET', 'shared/-/shared-1.0.0.tgz', { token: null });
    expect(tgz.status).toBe(200);
    expect((await publish(server, 'open', 'shared', '1.0.1', { token: null })).status).toBe(401);
  });
});

describe('an attachment over the upload limit', () => {
  let small: TestServer;
  beforeAll(async () => {
    small = await startTestServer({ limits: { uploadBytes: 64 * 1024 } }, { background: false });
    await createRepo(small, 'dev');
  });
  afterAll(() => small.close());

  it('is refused with 413 from its declared length, before the body is read, and nothing is stored', async () => {
    const big = crypto.randomBytes(1024 * 1024);
    const { body } = await publishBody('huge', '1.0.0', { tarball: big });
    const res = await npmCall(small, 'dev', 'PUT', 'huge', { body });
    expect(res.status).toBe(413);
    expect(res.body.error).toEqual(expect.any(String));
    expect((await npmCall(small, 'dev', 'GET', 'huge')).status).toBe(404);
  });

  it('is refused with 413 when the decoded tarball alone is over the limit', async () => {
    const { body } = await publishBody('bigger', '1.0.0', { tarball: crypto.randomBytes(70 * 1024) });
    const res = await npmCall(small, 'dev', 'PUT', 'bigger', { body });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/larger than this registry accepts \(65536 bytes\)/);
  });
});

describe('dist-tags, deprecation and unpublish', () => {
  beforeAll(async () => {
    for (const v of ['1.0.0', '1.1.0', '2.0.0-beta.1']) {
      const res = await publish(server, 'dev', 'tagged', v, { tag: v.includes('beta') ? 'beta' : 'latest' });
      expect(res.status).toBe(201);
    }
  });

  it('lists, adds and removes dist-tags', async () => {
    const ls = await npmCall(server, 'dev', 'GET', '-/package/tagged/dist-tags');
    expect(ls.body).toEqual({ beta: '2.0.0-beta.1', latest: '1.1.0' });
    const add = await npmCall(server, 'dev', 'PUT', '-/package/tagged/dist-tags/stable', { body: '1.0.0' });
    expect(add.status).toBe(200);
    expect(add.body).toMatchObject({ stable: '1.0.0' });
    const rm = await npmCall(server, 'dev', 'DELETE', '-/package/tagged/dist-tags/beta');
    expect(rm.body).toEqual({ latest: '1.1.0', stable: '1.0.0' });
    const doc = await npmCall<Packument>(server, 'dev', 'GET', 'tagged');
    expect(doc.body['dist-tags']).toEqual({ latest: '1.1.0', stable: '1.0.0' });
  });

  it('refuses a dist-tag that looks like a version, and removing latest', async () => {
    const semverTag = await npmCall(server, 'dev', 'PUT', '-/package/tagged/dist-tags/1.0.0', {
      body: '1.0.0',
    });
    expect(semverTag.status).toBe(422);
    const latest = await npmCall(server, 'dev', 'DELETE', '-/package/tagged/dist-tags/latest');
    expect(latest.status).toBe(422);
    expect(latest.body.error).toMatch(/'latest' dist-tag cannot be removed/);
  });

  it('deprecates a version through a PUT of the packument and clears it with an empty message', async () => {
    const doc = (await npmCall<Packument>(server, 'dev', 'GET', 'tagged?write=true')).body;
    doc.versions['1.0.0']!.deprecated = 'use 1.1.0';
    expect((await npmCall(server, 'dev', 'PUT', 'tagged', { body: doc })).status).toBe(200);
    const after = await npmCall<Packument>(server, 'dev', 'GET', 'tagged', {
      headers: { Accept: ABBREVIATED },
    });
    expect(after.body.versions['1.0.0']!.deprecated).toBe('use 1.1.0');
    expect(after.body.versions['1.1.0']).not.toHaveProperty('deprecated');
    doc.versions['1.0.0']!.deprecated = '';
    await npmCall(server, 'dev', 'PUT', 'tagged', { body: doc });
    expect(
      (await npmCall<Packument>(server, 'dev', 'GET', 'tagged')).body.versions['1.0.0'],
    ).not.toHaveProperty('deprecated');
  });

  it('unpublishes a version left out of a PUT to -rev, and moves latest to the highest remaining release', async () => {
    const doc = (await npmCall<Packument>(server, 'dev', 'GET', 'tagged?write=true')).body;
    delete doc.versions['1.1.0'];
    const put = await npmCall(server, 'dev', 'PUT', `tagged/-rev/${doc._rev!}`, { body: doc });
    expect(put.status).toBe(200);
    const after = await npmCall<Packument>(server, 'dev', 'GET', 'tagged');
    expect(Object.keys(after.body.versions)).toEqual(['1.0.0', '2.0.0-beta.1']);
    expect(after.body['dist-tags'].latest).toBe('1.0.0');
    const del = await npmCall(server, 'dev', 'DELETE', `tagged/-/tagged-1.1.0.tgz/-rev/${after.body._rev!}`);
    expect(del.status).toBe(200);
  });

  it('refuses to unpublish after the window, changing nothing', async () => {
    now = new Date(now.getTime() + 2 * 3600 * 1000);
    try {
      const res = await npmCall(server, 'dev', 'DELETE', 'tagged/-rev/1-x');
      expect(res.status).toBe(403);
      expect(res.body.error).toMatch(/allows unpublishing only within 1 hours.*Deprecate it instead/);
      expect(
        Object.keys((await npmCall<Packument>(server, 'dev', 'GET', 'tagged')).body.versions),
      ).toHaveLength(2);
    } finally {
      now = new Date(now.getTime() - 2 * 3600 * 1000);
    }
  });

  it('unpublishes the whole package with a DELETE', async () => {
    expect((await npmCall(server, 'dev', 'DELETE', 'tagged/-rev/1-x')).status).toBe(200);
    expect((await npmCall(server, 'dev', 'GET', 'tagged')).status).toBe(404);
  });
});

describe('search, whoami, ping and audit', () => {
  it('finds packages by name or description', async () => {
    const res = await npmCall<{ objects: { package: { name: string; version: string } }[]; total: number }>(
      server,
      'dev',
      'GET',
      '-/v1/search?text=left&size=5',
    );
    expect(res.body.objects.map((o) => o.package)).toEqual([
      expect.objectContaining({ name: 'left-pad', version: '1.0.0' }),
    ]);
    expect(res.body.total).toBe(1);
  });

  it('says who the token belongs to, and 401 without one', async () => {
    const me = await npmCall(server, 'dev', 'GET', '-/whoami');
    expect(me.body).toEqual({ username: expect.any(String) });
    expect((await npmCall(server, 'open', 'GET', '-/whoami', { token: null })).status).toBe(401);
  });

  it('answers ping', async () => {
    expect((await npmCall(server, 'dev', 'GET', '-/ping')).body).toEqual({});
  });

  it('reports the advisories of the given versions from the gzipped bulk request npm audit sends', async () => {
    const res = await npmCall<
      Record<string, { id: string; severity: string; vulnerable_versions: string }[]>
    >(server, 'dev', 'POST', '-/npm/v1/security/advisories/bulk', {
      raw: gzipJson({ sequelize: ['3.23.5'], 'left-pad': ['1.0.0'] }),
      headers: { 'Content-Encoding': 'gzip' },
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['sequelize']);
    const advisory = res.body.sequelize!.find((a) => a.id === 'NSWG-ECO-122');
    expect(advisory).toMatchObject({
      severity: expect.stringMatching(/^(critical|high|moderate|low|info)$/),
    });
    expect(advisory!.vulnerable_versions).toMatch(/</);
  });

  it('refuses a bulk request that is not {name: [versions]}', async () => {
    const res = await npmCall(server, 'dev', 'POST', '-/npm/v1/security/advisories/bulk', {
      body: { sequelize: '3.23.5' },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/sequelize: must be a list of version strings/);
  });
});

describe.each(BACKENDS)('concurrent publishes on %s', (backend) => {
  let db: TestServer;
  beforeAll(async () => {
    db = await startServerOn(backend);
    await createRepo(db, 'dev');
  }, 60_000);
  afterAll(() => db.close());

  it('keeps all 50 versions published at once, with one holding latest', async () => {
    const versions = Array.from({ length: 50 }, (_, i) => `3.0.${i}`);
    const results = await Promise.all(versions.map((v) => publish(db, 'dev', 'busy', v)));
    expect(results.map((r) => r.status)).toEqual(versions.map(() => 201));
    const doc = await npmCall<Packument>(db, 'dev', 'GET', 'busy');
    expect(Object.keys(doc.body.versions).sort()).toEqual([...versions].sort());
    expect(versions).toContain(doc.body['dist-tags'].latest);
    const list = await api<{ tags: { version: string[] } }[]>(
      db,
      'GET',
      '/packages/acme/dev/?page_size=100&query=name:busy',
    );
    expect(list.body.filter((p) => p.tags.version.includes('latest'))).toHaveLength(1);
  }, 90_000);
});
