import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { runUploadExpiry } from '../../src/server/domain/upload-expiry.js';
import type { StagedBlob } from '../../src/server/store/blobs.js';
import { blobAddressUnused, tryLockBlob, type LeaseTiming } from '../../src/server/store/upload-leases.js';
import { deleteGarbageBlob, insertBlobRow } from '../../src/server/store/uploads.js';
import type { TestServer } from '../helpers/server.js';
import { api, BACKENDS, createRepo, startServerOn } from '../helpers/upload.js';
import { npmCall, publishBody } from './npm/npm-helpers.js';
import { storedBytes, uploadFile } from './upload-helpers.js';

const TIMING: LeaseTiming = { leaseMs: 30_000, renewMs: 3_600_000, pollMs: 5 };
/** The service's upload TTL (the default). */
const TTL_MS = 3600 * 1000;

function sha256(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

describe.each(BACKENDS)('a publish guards its bytes against garbage collection (%s)', (backend) => {
  let server: TestServer;
  let now = new Date();
  const stage = { hook: null as ((staged: StagedBlob) => StagedBlob) | null, seen: () => undefined as void };

  beforeAll(async () => {
    server = await startServerOn(backend, { clock: () => now });
    await createRepo(server, 'dev');
    await createRepo(server, 'other');
    // Instance methods only: every staging of the service passes here, and tests may wrap it.
    const blobs = server.ctx.blobs;
    const original = blobs.stage.bind(blobs);
    blobs.stage = async (source: Readable, maxBytes: number) => {
      const staged = await original(source, maxBytes);
      stage.seen();
      return stage.hook ? stage.hook(staged) : staged;
    };
  }, 60_000);
  afterEach(() => {
    stage.hook = null;
    stage.seen = () => undefined;
  });
  afterAll(async () => server?.close());

  const collector = () => ({ db: server.ctx.db, clock: () => now, owner: 'collector', timing: TIMING });
  const locks = async (sha: string) =>
    server.ctx.db.selectFrom('blob_locks').select('token').where('sha256', '=', sha).execute();
  const blobRow = async (sha: string) =>
    server.ctx.db.selectFrom('blobs').select('sha256').where('sha256', '=', sha).executeTakeFirst();

  it('finds an address unused only while it has neither a blob row nor a lock', async () => {
    const sha = sha256(crypto.randomBytes(32));
    expect(await blobAddressUnused(server.ctx.db, sha)).toBe(true);
    const lock = await tryLockBlob(collector(), sha);
    expect(await blobAddressUnused(server.ctx.db, sha)).toBe(false);
    await lock!.release();
    expect(await blobAddressUnused(server.ctx.db, sha)).toBe(true);
    await insertBlobRow(server.ctx.db, { sha256: sha, size: 1, md5: 'x', sha1: 'x', sha512: null }, now);
    expect(await blobAddressUnused(server.ctx.db, sha)).toBe(false);
  });

  it('publishes new bytes without taking their lock', async () => {
    const { body, tarball } = await publishBody('fresh-bytes', '1.0.0');
    const sha = sha256(tarball);
    let lockedWhileCommitting: number | null = null;
    stage.hook = (staged) => ({
      ...staged,
      commit: async () => {
        lockedWhileCommitting = (await locks(sha)).length;
        await staged.commit();
      },
    });
    expect((await npmCall(server, 'dev', 'PUT', 'fresh-bytes', { body })).status).toBe(201);
    expect(lockedWhileCommitting).toBe(0);
    expect((await storedBytes(server, sha))?.equals(tarball)).toBe(true);
  });

  it('waits while collection removes the same bytes, and ends with them stored', async () => {
    const { body, tarball } = await publishBody('collected-bytes', '1.0.0');
    const sha = sha256(tarball);
    // The same bytes uploaded once, never claimed, and now half collected: the row is gone under
    // the collector's lock, the file not yet.
    const upload = await uploadFile(server, 'other', tarball);
    expect((await api(server, 'POST', `/files/acme/other/${upload.identifier}/abort/`)).status).toBe(204);
    const lock = await tryLockBlob(collector(), sha);
    expect(lock).not.toBeNull();
    expect(await deleteGarbageBlob(server.ctx.db, sha, new Date(now.getTime() + 2 * TTL_MS))).toBe(true);

    const staged = new Promise<void>((resolve) => (stage.seen = resolve));
    const publishing = npmCall(server, 'dev', 'PUT', 'collected-bytes', { body });
    await staged;
    // Long enough for a publish that ignored the lock to commit its bytes before the file goes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.ctx.blobs.remove(sha);
    await lock!.release();

    expect((await publishing).status).toBe(201);
    expect((await storedBytes(server, sha))?.equals(tarball)).toBe(true);
    expect(await blobRow(sha)).toBeDefined();
    expect(await locks(sha)).toEqual([]);
    // Collection later leaves them alone: a package refers to them.
    await runUploadExpiry(server.ctx, new Date(now.getTime() + 10 * TTL_MS));
    expect((await storedBytes(server, sha))?.equals(tarball)).toBe(true);
  });

  it('takes the lock after all when the publish outlived half the upload TTL, and keeps bytes still there', async () => {
    const { body, tarball } = await publishBody('slow-kept', '1.0.0');
    const sha = sha256(tarball);
    stage.hook = (staged) => ({
      ...staged,
      commit: async () => {
        await staged.commit();
        now = new Date(now.getTime() + TTL_MS);
      },
    });
    expect((await npmCall(server, 'dev', 'PUT', 'slow-kept', { body })).status).toBe(201);
    expect((await storedBytes(server, sha))?.equals(tarball)).toBe(true);
    expect(await locks(sha)).toEqual([]);
  });

  it('refuses a publish that outlived half the upload TTL when its bytes were collected meanwhile', async () => {
    const { body, tarball } = await publishBody('slow-lost', '1.0.0');
    const sha = sha256(tarball);
    stage.hook = (staged) => ({
      ...staged,
      commit: async () => {
        await staged.commit();
        now = new Date(now.getTime() + TTL_MS);
        // As collection would after a row of the same bytes, written by another request, aged.
        await server.ctx.blobs.remove(sha);
      },
    });
    const res = await npmCall<{ error: string; code: string }>(server, 'dev', 'PUT', 'slow-lost', { body });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/slow-lost-1\.0\.0\.tgz.*send them again/);
    expect((await npmCall(server, 'dev', 'GET', 'slow-lost')).status).toBe(404);
    expect(await blobRow(sha)).toBeUndefined();
    expect(await locks(sha)).toEqual([]);
    // The client sends them again, and they are stored.
    stage.hook = null;
    expect((await npmCall(server, 'dev', 'PUT', 'slow-lost', { body })).status).toBe(201);
    expect((await storedBytes(server, sha))?.equals(tarball)).toBe(true);
  });

  it('publishes bytes the store already holds under their lock', async () => {
    const first = await publishBody('known-bytes', '1.0.0');
    expect((await npmCall(server, 'dev', 'PUT', 'known-bytes', { body: first.body })).status).toBe(201);
    const sha = sha256(first.tarball);
    let lockedWhileCommitting: number | null = null;
    stage.hook = (staged) => ({
      ...staged,
      commit: async () => {
        lockedWhileCommitting = (await locks(sha)).length;
        await staged.commit();
      },
    });
    expect((await npmCall(server, 'other', 'PUT', 'known-bytes', { body: first.body })).status).toBe(201);
    expect(lockedWhileCommitting).toBe(1);
    expect(await locks(sha)).toEqual([]);
  });
});
