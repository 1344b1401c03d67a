import { claimUpload } from '../../src/server/domain/uploads.js';
import { runUploadExpiry } from '../../src/server/domain/upload-expiry.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  api,
  storedBytes,
  storedParts,
  createRepo,
  insertPackage,
  putBytes,
  randomBytes,
  requestUpload,
  uploadFile,
} from './upload-helpers.js';

const TTL_SECONDS = 600;

describe('upload expiry', () => {
  let server: TestServer;
  let repoId: string;

  beforeAll(async () => {
    server = await startTestServer({ limits: { uploadTtlSeconds: TTL_SECONDS } }, { background: false });
    repoId = await createRepo(server.ctx.db, 'acme', 'dev');
  });
  afterAll(async () => server.close());

  const later = (seconds: number) => new Date(Date.now() + seconds * 1000);
  const state = async (id: string) =>
    (await server.ctx.db.selectFrom('uploads').select('state').where('id', '=', id).executeTakeFirstOrThrow())
      .state;
  const hasBlobRow = async (sha256: string) =>
    (await server.ctx.db
      .selectFrom('blobs')
      .select('sha256')
      .where('sha256', '=', sha256)
      .executeTakeFirst()) !== undefined;

  it('is installed as a background task of the service', () => {
    expect(server.tasks.map((t) => t.name)).toContain('upload-expiry');
  });

  it('leaves uploads alone until they expire, then aborts them and removes their parts', async () => {
    const pending = await requestUpload(server, 'dev', { filename: 'p.bin', method: 'put' });
    const parts = await requestUpload(server, 'dev', { filename: 'q.bin', method: 'put_parts' });
    expect((await putBytes(`${parts.upload_url}&part_number=1`, randomBytes(500))).status).toBe(200);
    expect(await storedParts(server, parts.identifier)).toEqual(['1']);

    await runUploadExpiry(server.ctx, later(TTL_SECONDS - 60));
    expect(await state(pending.identifier)).toBe('pending');
    expect(await state(parts.identifier)).toBe('receiving');

    const done = await runUploadExpiry(server.ctx, later(TTL_SECONDS + 1));
    expect(done.abortedUploads).toBeGreaterThanOrEqual(2);
    expect(await state(pending.identifier)).toBe('aborted');
    expect(await state(parts.identifier)).toBe('aborted');
    expect(await storedParts(server, parts.identifier)).toEqual([]);
    const rows = await server.ctx.db
      .selectFrom('upload_parts')
      .selectAll()
      .where('upload_id', '=', parts.identifier)
      .execute();
    expect(rows).toEqual([]);
  });

  it('aborts a completed upload nobody claimed and then removes its blob, row first, file after', async () => {
    const stored = await uploadFile(server, 'dev', randomBytes(2000));
    expect(await hasBlobRow(stored.sha256_checksum)).toBe(true);

    // Fresh blobs are kept even when nothing refers to them yet.
    await server.ctx.db
      .updateTable('uploads')
      .set({ state: 'aborted' })
      .where('id', '=', stored.identifier)
      .execute();
    await runUploadExpiry(server.ctx, new Date());
    expect(await hasBlobRow(stored.sha256_checksum)).toBe(true);
    await server.ctx.db
      .updateTable('uploads')
      .set({ state: 'complete' })
      .where('id', '=', stored.identifier)
      .execute();

    const done = await runUploadExpiry(server.ctx, later(2 * TTL_SECONDS + 1));
    expect(done.removedBlobs).toBeGreaterThanOrEqual(1);
    expect(await state(stored.identifier)).toBe('aborted');
    expect(await hasBlobRow(stored.sha256_checksum)).toBe(false);
    expect(await server.ctx.blobs.has(stored.sha256_checksum)).toBe(false);
  });

  it('keeps blobs a package refers to, and the uploads that were consumed', async () => {
    const bytes = randomBytes(3000);
    const stored = await uploadFile(server, 'dev', bytes);
    await server.ctx.db.transaction().execute(async (trx) => {
      await claimUpload(trx, { repoId, identifier: stored.identifier, at: new Date() });
    });
    await insertPackage(server.ctx.db, {
      repoId,
      sha256: stored.sha256_checksum,
      size: bytes.length,
      filename: 'kept.bin',
    });
    await runUploadExpiry(server.ctx, later(10 * TTL_SECONDS));
    expect(await state(stored.identifier)).toBe('consumed');
    expect(await hasBlobRow(stored.sha256_checksum)).toBe(true);
    expect((await storedBytes(server, stored.sha256_checksum))?.equals(bytes)).toBe(true);
  });

  it('keeps a blob that a live completed upload refers to, however old the blob is', async () => {
    const bytes = randomBytes(1500);
    const first = await uploadFile(server, 'dev', bytes);
    await server.ctx.db
      .updateTable('blobs')
      .set({ created_at: new Date(Date.now() - 10 * TTL_SECONDS * 1000).toISOString() })
      .where('sha256', '=', first.sha256_checksum)
      .execute();
    await runUploadExpiry(server.ctx, new Date());
    expect(await hasBlobRow(first.sha256_checksum)).toBe(true);
    expect(await server.ctx.blobs.has(first.sha256_checksum)).toBe(true);
  });

  it('lets the same bytes be uploaded again after their blob was collected', async () => {
    const bytes = randomBytes(1200);
    const first = await uploadFile(server, 'dev', bytes);
    await api(server, 'POST', `/files/acme/dev/${first.identifier}/abort/`);
    await runUploadExpiry(server.ctx, later(2 * TTL_SECONDS));
    expect(await hasBlobRow(first.sha256_checksum)).toBe(false);
    const second = await uploadFile(server, 'dev', bytes);
    expect(second.sha256_checksum).toBe(first.sha256_checksum);
    expect((await storedBytes(server, second.sha256_checksum))?.equals(bytes)).toBe(true);
  });
});
