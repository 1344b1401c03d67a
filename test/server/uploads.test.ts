import type { FileUpload, UploadedFile } from '../../src/api/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  api,
  stagedObjects,
  storedBytes,
  createMemberKey,
  createRepo,
  digest,
  putBytes,
  randomBytes,
  requestUpload,
  withParams,
} from './upload-helpers.js';

describe('uploads', () => {
  let server: TestServer;
  let repoId: string;

  beforeAll(async () => {
    server = await startTestServer({}, { background: false });
    repoId = await createRepo(server.ctx.db, 'acme', 'dev');
  });
  afterAll(async () => server.close());

  const uploadRow = (id: string) =>
    server.ctx.db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const blobRow = (sha256: string) =>
    server.ctx.db.selectFrom('blobs').selectAll().where('sha256', '=', sha256).executeTakeFirst();

  describe('PUT to the signed upload URL', () => {
    it('stores the bytes under their sha256, records the blob and completes the upload', async () => {
      const bytes = randomBytes(300_000);
      const sha256 = digest('sha256', bytes);
      const upload = await requestUpload(server, 'dev', {
        filename: 'app.tar.gz',
        sha256_checksum: sha256,
        method: 'put',
      });
      expect(upload.upload_url).toMatch(
        new RegExp(`^${server.url}/uploads/${upload.identifier}\\?expires=\\d+&signature=[0-9a-f]{64}$`),
      );
      expect(upload.upload_querystring).toBe(new URL(upload.upload_url).search.slice(1));

      const res = await putBytes(upload.upload_url, bytes);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        identifier: upload.identifier,
        sha256_checksum: sha256,
        md5_checksum: digest('md5', bytes),
        size: bytes.length,
      });
      expect((await storedBytes(server, sha256))?.equals(bytes)).toBe(true);
      expect(await blobRow(sha256)).toMatchObject({
        size: bytes.length,
        sha1: digest('sha1', bytes),
        md5: digest('md5', bytes),
      });
      expect(await uploadRow(upload.identifier)).toMatchObject({
        state: 'complete',
        blob_sha256: sha256,
        size: bytes.length,
      });
    });

    it('takes a body sent without a Content-Type or a length (chunked)', async () => {
      const bytes = randomBytes(70_000);
      const upload = await requestUpload(server, 'dev', { filename: 'a.bin', method: 'put' });
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.subarray(0, 30_000));
          controller.enqueue(bytes.subarray(30_000));
          controller.close();
        },
      });
      const res = await fetch(upload.upload_url, { method: 'PUT', body, duplex: 'half' } as RequestInit);
      expect(res.status).toBe(200);
      expect(((await res.json()) as UploadedFile).sha256_checksum).toBe(digest('sha256', bytes));
    });

    it('accepts a URL once: a second PUT gets 410 upload_expired', async () => {
      const upload = await requestUpload(server, 'dev', { filename: 'once.bin', method: 'put' });
      expect((await putBytes(upload.upload_url, randomBytes(10))).status).toBe(200);
      const again = await putBytes(upload.upload_url, randomBytes(10));
      expect(again.status).toBe(410);
      expect(await again.json()).toMatchObject({ code: 'upload_expired' });
    });

    it('refuses a tampered signature, expiry or identifier with 403 and keeps the upload pending', async () => {
      const upload = await requestUpload(server, 'dev', { filename: 'sig.bin', method: 'put' });
      const other = await requestUpload(server, 'dev', { filename: 'other.bin', method: 'put' });
      const u = new URL(upload.upload_url);
      const sig = u.searchParams.get('signature')!;
      const expires = u.searchParams.get('expires')!;
      const tampered = [
        withParams(upload.upload_url, { signature: (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1) }),
        withParams(upload.upload_url, { expires: String(Number(expires) + 3600) }),
        withParams(upload.upload_url, { signature: 'not-hex' }),
        upload.upload_url.replace(upload.identifier, other.identifier),
      ];
      for (const url of tampered) {
        const res = await putBytes(url, randomBytes(10));
        expect(res.status).toBe(403);
        expect(await res.json()).toMatchObject({
          code: 'permission_denied',
          detail: expect.stringMatching(/signature/),
        });
      }
      expect((await uploadRow(upload.identifier)).state).toBe('pending');
      expect((await uploadRow(other.identifier)).state).toBe('pending');
    });

    it('asks for credentials when the URL carries no signature and no key is sent', async () => {
      const upload = await requestUpload(server, 'dev', { filename: 'nokey.bin', method: 'put' });
      const res = await putBytes(`${server.url}/uploads/${upload.identifier}`, randomBytes(10));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'not_authenticated' });
    });

    it('takes an unsigned_put upload with the API key instead of a signature', async () => {
      const upload = await requestUpload(server, 'dev', { filename: 'u.bin', method: 'unsigned_put' });
      expect(upload.upload_url).toBe(`${server.url}/uploads/${upload.identifier}`);
      expect((await putBytes(upload.upload_url, randomBytes(10))).status).toBe(401);
      const res = await putBytes(upload.upload_url, randomBytes(10), { 'X-Api-Key': server.adminKey });
      expect(res.status).toBe(200);
    });

    it('answers 422 checksum_mismatch, keeps no blob, and lets the client retry with the right bytes', async () => {
      const right = randomBytes(50_000);
      const wrong = randomBytes(50_000);
      const upload = await requestUpload(server, 'dev', {
        filename: 'c.bin',
        sha256_checksum: digest('sha256', right),
        method: 'put',
      });
      const res = await putBytes(upload.upload_url, wrong);
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({
        code: 'checksum_mismatch',
        fields: { sha256_checksum: [expect.stringContaining(digest('sha256', wrong))] },
      });
      expect(await server.ctx.blobs.has(digest('sha256', wrong))).toBe(false);
      expect(await blobRow(digest('sha256', wrong))).toBeUndefined();
      expect(await stagedObjects(server)).toEqual([]);
      expect((await uploadRow(upload.identifier)).state).toBe('pending');

      expect((await putBytes(upload.upload_url, right)).status).toBe(200);
    });

    it('checks a declared md5 as well', async () => {
      const bytes = randomBytes(1000);
      const upload = await requestUpload(server, 'dev', {
        filename: 'm.bin',
        md5_checksum: digest('md5', randomBytes(5)),
        method: 'put',
      });
      const res = await putBytes(upload.upload_url, bytes);
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({
        code: 'checksum_mismatch',
        fields: { md5_checksum: expect.any(Array) },
      });
      expect(await blobRow(digest('sha256', bytes))).toBeUndefined();
    });
  });

  describe('the post form variant (the official CLI, no API key)', () => {
    it('takes the form byte for byte as the official CLI encodes it (no part Content-Type, only UA and length)', async () => {
      const bytes = randomBytes(33_333);
      const upload = await requestUpload(server, 'dev', {
        filename: 'file.bin',
        md5_checksum: digest('md5', bytes),
      });
      const boundary = 'e9a8c2b5f1d04f6a8d7b1c3e5f7a9b0d';
      const pieces: Buffer[] = [];
      for (const [name, value] of Object.entries(upload.upload_fields)) {
        pieces.push(
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
        );
      }
      pieces.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="file.bin"\r\n\r\n`,
        ),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      );
      const body = Buffer.concat(pieces);
      const res = await fetch(upload.upload_url, {
        method: 'POST',
        headers: {
          'user-agent': 'cloudsmith-cli/linux cli:1.24.0 api:2.0.29',
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(body.length),
        },
        body,
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ md5_checksum: digest('md5', bytes), size: bytes.length });
    });

    it('takes the upload fields and a file part on the upload URL', async () => {
      const bytes = randomBytes(120_000);
      const upload = await requestUpload(server, 'dev', {
        filename: 'pkg.whl',
        md5_checksum: digest('md5', bytes),
      });
      expect(upload.upload_fields).toEqual({ expires: expect.any(String), signature: expect.any(String) });
      const form = new FormData();
      for (const [k, v] of Object.entries(upload.upload_fields)) form.append(k, v);
      form.append('file', new Blob([bytes]), 'pkg.whl');
      const res = await fetch(upload.upload_url, { method: 'POST', body: form });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        sha256_checksum: digest('sha256', bytes),
        size: bytes.length,
      });
      expect((await uploadRow(upload.identifier)).state).toBe('complete');
      const again = await fetch(upload.upload_url, { method: 'POST', body: form });
      expect(again.status).toBe(410);
    });

    it('takes the signature from the form fields when the URL has none', async () => {
      const bytes = randomBytes(1000);
      const upload = await requestUpload(server, 'dev', { filename: 'f.bin' });
      const form = new FormData();
      for (const [k, v] of Object.entries(upload.upload_fields)) form.append(k, v);
      form.append('file', new Blob([bytes]), 'f.bin');
      const res = await fetch(`${server.url}/uploads/${upload.identifier}`, { method: 'POST', body: form });
      expect(res.status).toBe(200);
    });

    it('refuses a form with a tampered signature field, and one without a file part', async () => {
      const upload = await requestUpload(server, 'dev', { filename: 'g.bin' });
      const bad = new FormData();
      bad.append('expires', upload.upload_fields.expires!);
      bad.append('signature', '0'.repeat(64));
      bad.append('file', new Blob([randomBytes(10)]), 'g.bin');
      expect(
        (await fetch(`${server.url}/uploads/${upload.identifier}`, { method: 'POST', body: bad })).status,
      ).toBe(403);

      const empty = new FormData();
      empty.append('note', 'no file here');
      const res = await fetch(upload.upload_url, { method: 'POST', body: empty });
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ fields: { file: expect.any(Array) } });
      expect((await uploadRow(upload.identifier)).state).toBe('pending');
    });

    it('answers checksum_mismatch for a form whose file does not match the declared md5', async () => {
      const upload = await requestUpload(server, 'dev', {
        filename: 'h.bin',
        md5_checksum: digest('md5', randomBytes(3)),
      });
      const form = new FormData();
      form.append('file', new Blob([randomBytes(2000)]), 'h.bin');
      const res = await fetch(upload.upload_url, { method: 'POST', body: form });
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ code: 'checksum_mismatch' });
    });
  });
  describe('requests and validation', () => {
    it.each([
      ['../etc/passwd'],
      ['/abs/path.bin'],
      ['dir/file.bin'],
      ['a\\b.bin'],
      ['nul\u0000.bin'],
      ['..'],
      [''],
    ])('refuses the file name %j with 422 naming filename', async (filename) => {
      for (const endpoint of ['/files/acme/dev/', '/files/acme/dev/validate/']) {
        const res = await api(server, 'POST', endpoint, { filename });
        expect(res.status).toBe(422);
        const body = (await res.json()) as { code: string; fields: Record<string, string[]> };
        expect(body.code).toBe('validation_failed');
        expect(Object.keys(body.fields)).toEqual(['filename']);
      }
    });

    it('refuses checksums that are not hex of the right length', async () => {
      for (const [field, value] of [
        ['sha256_checksum', 'abc'],
        ['sha256_checksum', 'z'.repeat(64)],
        ['md5_checksum', digest('sha256', randomBytes(1))],
      ] as const) {
        const res = await api(server, 'POST', '/files/acme/dev/', { filename: 'x.bin', [field]: value });
        expect(res.status).toBe(422);
        expect(await res.json()).toMatchObject({ fields: { [field]: expect.any(Array) } });
      }
    });

    it('validates the way the official CLI calls it: 204 for a good request', async () => {
      const res = await api(server, 'POST', '/files/acme/dev/validate/', {
        filename: 'ok.bin',
        md5_checksum: digest('md5', randomBytes(1)),
      });
      expect(res.status).toBe(204);
    });

    it('needs Write on the repository', async () => {
      expect((await api(server, 'POST', '/files/acme/dev/', { filename: 'x.bin' }, null)).status).toBe(401);
      const reader = await createMemberKey(server, repoId, 'Read');
      const res = await api(server, 'POST', '/files/acme/dev/', { filename: 'x.bin' }, reader);
      expect(res.status).toBe(403);
      const writer = await createMemberKey(server, repoId, 'Write');
      const upload = (await (
        await api(server, 'POST', '/files/acme/dev/', { filename: 'x.bin', method: 'put' }, writer)
      ).json()) as FileUpload;
      expect((await putBytes(upload.upload_url, randomBytes(5))).status).toBe(200);
      expect((await api(server, 'POST', '/files/acme/nope/', { filename: 'x.bin' })).status).toBe(404);
    });

    it('accepts a Read-only key on the upload URL only with the signature', async () => {
      const reader = await createMemberKey(server, repoId, 'Read');
      const upload = await requestUpload(server, 'dev', { filename: 'r.bin', method: 'put' });
      const unsigned = `${server.url}/uploads/${upload.identifier}`;
      expect((await putBytes(unsigned, randomBytes(5), { 'X-Api-Key': reader })).status).toBe(403);
      expect((await putBytes(upload.upload_url, randomBytes(5), { 'X-Api-Key': reader })).status).toBe(200);
    });

    it('serves the upload endpoints under /v1 as well', async () => {
      const res = await api(server, 'POST', '/v1/files/acme/dev/', { filename: 'v1.bin', method: 'put' });
      expect(res.status).toBe(202);
    });
  });
});
