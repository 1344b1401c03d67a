import { claimUpload } from '../../src/server/domain/uploads.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, createRepo, digest, putBytes, randomBytes, requestUpload } from './upload-helpers.js';

describe('claimUpload', () => {
  let server: TestServer;
  let repoId: string;
  let otherRepoId: string;

  beforeAll(async () => {
    server = await startTestServer({}, { background: false });
    repoId = await createRepo(server.ctx.db, 'acme', 'dev');
    otherRepoId = await createRepo(server.ctx.db, 'acme', 'other');
  });
  afterAll(async () => server.close());

  const claim = (identifier: string, at = new Date(), repo = repoId) =>
    server.ctx.db.transaction().execute((trx) => claimUpload(trx, { repoId: repo, identifier, at }));

  it('hands over a completed upload with its blob once, then refuses it as used', async () => {
    const bytes = randomBytes(4096);
    const upload = await requestUpload(server, 'dev', { filename: 'claim.bin', method: 'put' });
    expect((await putBytes(upload.upload_url, bytes)).status).toBe(200);
    await expect(claim(upload.identifier)).resolves.toEqual({
      id: upload.identifier,
      filename: 'claim.bin',
      blob: {
        sha256: digest('sha256', bytes),
        size: bytes.length,
        md5: digest('md5', bytes),
        sha1: digest('sha1', bytes),
        sha512: null,
      },
    });
    await expect(claim(upload.identifier)).rejects.toMatchObject({ code: 'upload_expired' });
  });

  it('names package_file for an identifier the repository does not have', async () => {
    const upload = await requestUpload(server, 'dev', { filename: 'x.bin', method: 'put' });
    await expect(claim('nosuchupload')).rejects.toMatchObject({
      code: 'validation_failed',
      fields: { package_file: ['No upload with identifier nosuchupload in this repository.'] },
    });
    await expect(claim(upload.identifier, new Date(), otherRepoId)).rejects.toMatchObject({
      code: 'validation_failed',
      fields: { package_file: [expect.stringContaining(upload.identifier)] },
    });
  });

  it('refuses an upload without its bytes as not ready, and an expired or aborted one as expired', async () => {
    const waiting = await requestUpload(server, 'dev', { filename: 'w.bin', method: 'put' });
    await expect(claim(waiting.identifier)).rejects.toMatchObject({ code: 'upload_not_ready' });

    const done = await requestUpload(server, 'dev', { filename: 'd.bin', method: 'put' });
    expect((await putBytes(done.upload_url, randomBytes(10))).status).toBe(200);
    const afterExpiry = new Date(Date.now() + (server.ctx.config.limits.uploadTtlSeconds + 60) * 1000);
    await expect(claim(done.identifier, afterExpiry)).rejects.toMatchObject({ code: 'upload_expired' });

    expect((await api(server, 'POST', `/files/acme/dev/${done.identifier}/abort/`)).status).toBe(204);
    await expect(claim(done.identifier)).rejects.toMatchObject({ code: 'upload_expired' });
  });

  it('lets exactly one of two concurrent claims win', async () => {
    const upload = await requestUpload(server, 'dev', { filename: 'race.bin', method: 'put' });
    expect((await putBytes(upload.upload_url, randomBytes(100))).status).toBe(200);
    const results = await Promise.allSettled([claim(upload.identifier), claim(upload.identifier)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(lost?.reason).toMatchObject({ code: 'upload_expired' });
    const row = await server.ctx.db
      .selectFrom('uploads')
      .select('state')
      .where('id', '=', upload.identifier)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('consumed');
  });

  it('rolls the claim back with the caller’s transaction', async () => {
    const upload = await requestUpload(server, 'dev', { filename: 'rb.bin', method: 'put' });
    expect((await putBytes(upload.upload_url, randomBytes(100))).status).toBe(200);
    await expect(
      server.ctx.db.transaction().execute(async (trx) => {
        await claimUpload(trx, { repoId, identifier: upload.identifier, at: new Date() });
        throw new Error('package creation failed');
      }),
    ).rejects.toThrow(/package creation failed/);
    await expect(claim(upload.identifier)).resolves.toMatchObject({ id: upload.identifier });
  });
});
