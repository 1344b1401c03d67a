import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  createRepo,
  putBytes,
  randomBytes,
  requestUpload,
  stagedObjects,
  storedBlobs,
  storedParts,
} from './upload-helpers.js';

describe('upload size limit', () => {
  let server: TestServer;
  const limit = 64 * 1024;

  beforeAll(async () => {
    server = await startTestServer({ limits: { uploadBytes: limit } }, { background: false });
    await createRepo(server.ctx.db, 'acme', 'small');
  });
  afterAll(async () => server.close());

  const nothingKept = async (): Promise<void> => {
    expect(await storedBlobs(server)).toEqual([]);
    expect(await stagedObjects(server)).toEqual([]);
    expect(await server.ctx.db.selectFrom('blobs').selectAll().execute()).toEqual([]);
  };

  it('answers 413 to a body whose declared length is over the limit', async () => {
    const upload = await requestUpload(server, 'small', { filename: 'big.bin', method: 'put' });
    const res = await putBytes(upload.upload_url, randomBytes(limit + 1));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
    await nothingKept();
  });

  it('answers 413 to a streamed body that grows past the limit, and keeps nothing', async () => {
    const upload = await requestUpload(server, 'small', { filename: 'stream.bin', method: 'put' });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 4 * limit) return controller.close();
        sent += 16 * 1024;
        controller.enqueue(randomBytes(16 * 1024));
      },
    });
    const res = await fetch(upload.upload_url, { method: 'PUT', body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    await nothingKept();
    const row = await server.ctx.db
      .selectFrom('uploads')
      .select('state')
      .where('id', '=', upload.identifier)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('pending');
  });

  it('answers 413 to a form whose file part is over the limit', async () => {
    const upload = await requestUpload(server, 'small', { filename: 'form.bin' });
    const form = new FormData();
    for (const [k, v] of Object.entries(upload.upload_fields)) form.append(k, v);
    form.append('file', new Blob([randomBytes(limit * 2)]), 'form.bin');
    const res = await fetch(upload.upload_url, { method: 'POST', body: form });
    expect(res.status).toBe(413);
    await nothingKept();
  });

  it('counts every part of a put_parts upload against the limit', async () => {
    const upload = await requestUpload(server, 'small', { filename: 'parts.bin', method: 'put_parts' });
    const url = (n: number) => `${upload.upload_url}&part_number=${n}`;
    expect((await putBytes(url(1), randomBytes(limit - 100))).status).toBe(200);
    const res = await putBytes(url(2), randomBytes(200));
    expect(res.status).toBe(413);
    expect(await storedParts(server, upload.identifier)).toEqual(['1']);
    await nothingKept();
  });
});
