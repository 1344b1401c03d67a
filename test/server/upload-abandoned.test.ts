import { runUploadExpiry } from '../../src/server/domain/upload-expiry.js';
import { markReceiving, type LeaseTiming } from '../../src/server/store/upload-leases.js';
import { findUpload, moveUploadState } from '../../src/server/store/uploads.js';
import { BACKENDS, startServerOn } from '../helpers/upload.js';
import type { TestServer } from '../helpers/server.js';
import { api, createRepo, digest, putBytes, randomBytes, requestUpload } from './upload-helpers.js';

const TIMING: LeaseTiming = { leaseMs: 30_000, renewMs: 3_600_000, pollMs: 5 };

describe.each(BACKENDS)('a whole-file upload whose sender died in another process (%s)', (backend) => {
  let server: TestServer;
  let now = new Date();

  beforeAll(async () => {
    server = await startServerOn(backend, { clock: () => now });
    await createRepo(server.ctx.db, 'acme', 'dev');
  }, 60_000);
  afterAll(async () => server?.close());

  /** An upload left `receiving` by a process that died: its receipt is there until its lease ends. */
  async function abandoned(bytes: Buffer): Promise<{ id: string; url: string }> {
    const upload = await requestUpload(server, 'dev', {
      filename: 'a.bin',
      sha256_checksum: digest('sha256', bytes),
      method: 'put',
    });
    await markReceiving(
      { db: server.ctx.db, clock: () => now, owner: 'other-host s3://shared', timing: TIMING },
      upload.identifier,
    );
    expect(await moveUploadState(server.ctx.db, upload.identifier, ['pending'], 'receiving')).toBe(true);
    return { id: upload.identifier, url: upload.upload_url };
  }

  it('is refused with 409 while the dead sender holds its lease, and takes the bytes once the lease ended', async () => {
    const bytes = randomBytes(10_000);
    const upload = await abandoned(bytes);
    const info = async () => (await api(server, 'GET', `/files/acme/dev/${upload.id}/info/`)).status;
    expect(await info()).toBe(409);
    expect((await putBytes(upload.url, bytes)).status).toBe(409);
    now = new Date(now.getTime() + TIMING.leaseMs);
    expect(await info()).toBe(200);
    expect((await putBytes(upload.url, bytes)).status).toBe(200);
    expect((await findUpload(server.ctx.db, upload.id))?.state).toBe('complete');
  });

  it('is returned to pending by the expiry pass of any process once the lease ended', async () => {
    const upload = await abandoned(randomBytes(100));
    expect((await runUploadExpiry(server.ctx)).releasedUploads).toBe(0);
    now = new Date(now.getTime() + TIMING.leaseMs);
    expect((await runUploadExpiry(server.ctx)).releasedUploads).toBe(1);
    expect((await findUpload(server.ctx.db, upload.id))?.state).toBe('pending');
  });
});
