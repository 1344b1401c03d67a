import { DOWNLOAD_GUARDS, refuseQuarantined, resolveRange } from '../../src/server/domain/downloads.js';
import { PACKAGE_STATUS } from '../../src/server/domain/package-status.js';
import { softDeletePackage } from '../../src/server/store/packages.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createRepo, digest, insertPackage, randomBytes, uploadFile } from './upload-helpers.js';

describe('downloads', () => {
  let server: TestServer;
  let bytes: Buffer;
  let privateUrl: string;
  let publicUrl: string;
  let privateRepo: string;
  let sha256: string;

  beforeAll(async () => {
    server = await startTestServer({}, { background: false });
    privateRepo = await createRepo(server.ctx.db, 'acme', 'dev');
    const publicRepo = await createRepo(server.ctx.db, 'acme', 'pub', 'Public');
    bytes = randomBytes(10_000);
    const stored = await uploadFile(server, 'dev', bytes, 'tool-1.0.tar.gz');
    sha256 = stored.sha256_checksum;
    const args = { sha256, size: bytes.length, filename: 'tool-1.0.tar.gz' };
    const privateId = await insertPackage(server.ctx.db, { ...args, repoId: privateRepo });
    const publicId = await insertPackage(server.ctx.db, { ...args, repoId: publicRepo });
    privateUrl = `${server.url}/dl/acme/dev/${privateId}/tool-1.0.tar.gz`;
    publicUrl = `${server.url}/dl/acme/pub/${publicId}/tool-1.0.tar.gz`;
  });
  afterAll(async () => server.close());

  const get = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(url, { method, headers: { 'X-Api-Key': server.adminKey, ...headers } });

  it('streams the whole file with its length, type, ETag and checksum headers', async () => {
    const res = await get(privateUrl);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'content-length': String(bytes.length),
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      etag: `"${sha256}"`,
      'x-checksum-sha256': sha256,
      'x-checksum-md5': digest('md5', bytes),
      'x-checksum-sha1': digest('sha1', bytes),
      'content-disposition': `attachment; filename="tool-1.0.tar.gz"; filename*=UTF-8''tool-1.0.tar.gz`,
    });
  });

  it.each([
    ['bytes=10-19', 10, 19],
    ['bytes=9990-', 9990, 9999],
    ['bytes=-5', 9995, 9999],
    ['bytes=0-99999', 0, 9999],
    ['bytes=-20000', 0, 9999],
  ])('answers Range %s with 206 and the bytes %i-%i', async (range, start, end) => {
    const res = await get(privateUrl, { Range: range });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${bytes.length}`);
    expect(res.headers.get('content-length')).toBe(String(end - start + 1));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(start, end + 1))).toBe(true);
  });

  it.each([['bytes=10000-'], ['bytes=20000-20010'], ['bytes=-0']])(
    'answers the unsatisfiable Range %s with 416 and the file size',
    async (range) => {
      const res = await get(privateUrl, { Range: range });
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
      expect(await res.json()).toMatchObject({ code: 'range_not_satisfiable' });
    },
  );

  it('sends the whole file for several ranges or a malformed Range header', async () => {
    for (const range of ['bytes=0-1,5-6', 'pages=1-2', 'bytes=9-3']) {
      const res = await get(privateUrl, { Range: range });
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBe(bytes.length);
    }
  });

  it('answers HEAD with the headers and no body, ranges included', async () => {
    const res = await get(privateUrl, {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(res.headers.get('x-checksum-sha256')).toBe(sha256);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    const ranged = await get(privateUrl, { Range: 'bytes=0-9' }, 'HEAD');
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-length')).toBe('10');
  });

  it('answers 304 when If-None-Match carries the ETag', async () => {
    const res = await get(privateUrl, { 'If-None-Match': `"${sha256}"` });
    expect(res.status).toBe(304);
  });

  it('lets anyone download from a public repository but asks for credentials on a private one', async () => {
    const pub = await fetch(publicUrl);
    expect(pub.status).toBe(200);
    expect(Buffer.from(await pub.arrayBuffer()).equals(bytes)).toBe(true);
    const priv = await fetch(privateUrl);
    expect(priv.status).toBe(401);
    expect((await fetch(privateUrl, { headers: { 'X-Api-Key': 'al_nope' } })).status).toBe(401);
  });

  it('answers 404 for an unknown package, a wrong file name, another repository and a deleted package', async () => {
    const id = privateUrl.split('/').at(-2)!;
    for (const url of [
      `${server.url}/dl/acme/dev/nosuchpackage/tool-1.0.tar.gz`,
      `${server.url}/dl/acme/dev/${id}/other.tar.gz`,
      `${server.url}/dl/acme/pub/${id}/tool-1.0.tar.gz`,
    ]) {
      const res = await get(url);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not_found' });
    }
    const gone = await insertPackage(server.ctx.db, {
      repoId: privateRepo,
      sha256,
      size: bytes.length,
      filename: 'gone.bin',
    });
    await softDeletePackage(server.ctx, gone, new Date().toISOString(), PACKAGE_STATUS.deleted);
    expect((await get(`${server.url}/dl/acme/dev/${gone}/gone.bin`)).status).toBe(404);
  });

  it('refuses a quarantined package with 403 quarantined, the first download guard', async () => {
    expect(DOWNLOAD_GUARDS[0]).toBe(refuseQuarantined);
    const id = await insertPackage(server.ctx.db, {
      repoId: privateRepo,
      sha256,
      size: bytes.length,
      filename: 'held.bin',
      quarantined: true,
    });
    const res = await get(`${server.url}/dl/acme/dev/${id}/held.bin`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'quarantined' });
  });

  it('encodes a file name outside ASCII in Content-Disposition', async () => {
    const id = await insertPackage(server.ctx.db, {
      repoId: privateRepo,
      sha256,
      size: bytes.length,
      filename: 'naïve "x".bin',
    });
    const res = await get(`${server.url}/dl/acme/dev/${id}/${encodeURIComponent('naïve "x".bin')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="na_ve _x_.bin"; filename*=UTF-8''na%C3%AFve%20%22x%22.bin`,
    );
  });

  it('serves an empty file, and finds no range in it', async () => {
    const stored = await uploadFile(server, 'dev', Buffer.alloc(0), 'empty.bin');
    const id = await insertPackage(server.ctx.db, {
      repoId: privateRepo,
      sha256: stored.sha256_checksum,
      size: 0,
      filename: 'empty.bin',
    });
    const res = await get(`${server.url}/dl/acme/dev/${id}/empty.bin`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('0');
    expect((await get(`${server.url}/dl/acme/dev/${id}/empty.bin`, { Range: 'bytes=0-' })).status).toBe(416);
  });
});

describe('resolveRange', () => {
  it('reads single byte ranges and ignores what it cannot use', () => {
    expect(resolveRange(undefined, 100)).toBeNull();
    expect(resolveRange('bytes=0-0', 100)).toEqual({ start: 0, end: 0 });
    expect(resolveRange('bytes=50-', 100)).toEqual({ start: 50, end: 99 });
    expect(resolveRange('bytes=-1', 100)).toEqual({ start: 99, end: 99 });
    expect(resolveRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(resolveRange('bytes=-', 100)).toBeNull();
    expect(resolveRange('bytes=1-2, 4-5', 100)).toBeNull();
  });
});
