import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { Readable } from 'node:stream';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { FileUpload } from '../../src/api/files.js';
import { buildApp, type BuiltApp } from '../../src/server/app.js';
import { parseConfig, type ServerConfigInput } from '../../src/server/config.js';
import { runUploadExpiry } from '../../src/server/domain/upload-expiry.js';
import { uploadsReceiving } from '../../src/server/store/uploads.js';
import { postgresAvailable, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/upload.js';
import { api, createRepo, digest, filesUnder, putBytes, requestUpload } from './upload-helpers.js';

const MiB = 1024 * 1024;
const TTL_SECONDS = 600;

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
}, 90_000);
afterAll(async () => s3?.stop());

async function keys(bucket: string, prefix = ''): Promise<string[]> {
  const res = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!);
}

function s3Config(bucket: string): ServerConfigInput['blobs'] {
  return {
    kind: 's3',
    bucket,
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    presignDownloads: false,
  };
}

async function createPackage(
  server: TestServer,
  identifier: string,
  name: string,
): Promise<{ cdn_url: string }> {
  const res = await api(server, 'POST', `/packages/acme/dev/upload/raw/`, {
    package_file: identifier,
    name,
    version: '1.0',
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { cdn_url: string };
}

async function download(
  server: TestServer,
  url: string,
  range?: string,
): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(url, {
    headers: { 'X-Api-Key': server.adminKey, ...(range ? { Range: range } : {}) },
  });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe.each(BACKENDS)('uploads and downloads through the HTTP API with blobs on S3 (%s)', (backend) => {
  let server: TestServer;
  let pg: TestPostgres | null = null;
  let bucket: string;

  beforeAll(async () => {
    bucket = await s3.createBucket();
    if (backend === 'postgres') pg = await startPostgres();
    server = await startTestServer(
      {
        blobs: s3Config(bucket),
        limits: { uploadTtlSeconds: TTL_SECONDS },
        ...(pg ? { database: { kind: 'postgres', url: pg.url } } : {}),
      },
      // Lowered so that a 12 MiB blob takes the multipart-copy path of a 5 GiB one.
      { background: false, blobStore: { multipartCopyThreshold: 8 * MiB, copyPartSize: 5 * MiB } },
    );
    await createRepo(server.ctx.db, 'acme', 'dev');
  }, 90_000);
  afterAll(async () => {
    await server?.close();
    pg?.stop();
  });

  it('stores a PUT upload in the bucket only, and downloads it whole and by range', async () => {
    const bytes = crypto.randomBytes(3 * MiB + 7);
    const sha256 = digest('sha256', bytes);
    const upload = await requestUpload(server, 'dev', {
      filename: 'one.bin',
      sha256_checksum: sha256,
      method: 'put',
    });
    const put = await putBytes(upload.upload_url, bytes);
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ sha256_checksum: sha256, md5_checksum: digest('md5', bytes) });
    expect(await keys(bucket)).toEqual([`blobs/${sha256}`]);
    expect(filesUnder(`${server.dataDir}/blobs`)).toEqual([]);

    const pkg = await createPackage(server, upload.identifier, 'one');
    const whole = await download(server, pkg.cdn_url);
    expect(whole.status).toBe(200);
    expect(digest('sha256', whole.bytes)).toBe(sha256);
    const part = await download(server, pkg.cdn_url, 'bytes=100-199');
    expect(part.status).toBe(206);
    expect(part.bytes.equals(bytes.subarray(100, 200))).toBe(true);
  });

  it('joins put_parts parts kept in the bucket, commits them by multipart copy and removes the parts', async () => {
    const parts = [crypto.randomBytes(6 * MiB), crypto.randomBytes(6 * MiB)];
    const whole = Buffer.concat(parts);
    const sha256 = digest('sha256', whole);
    const upload = await requestUpload(server, 'dev', {
      filename: 'two.bin',
      sha256_checksum: sha256,
      method: 'put_parts',
    });
    for (const [i, part] of parts.entries()) {
      expect((await putBytes(`${upload.upload_url}&part_number=${i + 1}`, part)).status).toBe(200);
    }
    expect(await keys(bucket, `parts/${upload.identifier}/`)).toHaveLength(2);
    const done = await api(server, 'POST', `/files/acme/dev/${upload.identifier}/complete/`, {});
    expect(done.status).toBe(201);
    expect(await keys(bucket, 'parts/')).toEqual([]);
    expect(await keys(bucket, 'tmp/')).toEqual([]);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: `blobs/${sha256}` }));
    expect(head.ETag).toMatch(/-3"?$/);

    const pkg = await createPackage(server, upload.identifier, 'two');
    const got = await download(server, pkg.cdn_url);
    expect(digest('sha256', got.bytes)).toBe(sha256);
  }, 60_000);

  it('refuses bytes that do not match the declared checksum, keeping nothing in the bucket', async () => {
    const before = await keys(bucket);
    const upload = await requestUpload(server, 'dev', {
      filename: 'bad.bin',
      sha256_checksum: 'b'.repeat(64),
      method: 'put',
    });
    const put = await putBytes(upload.upload_url, crypto.randomBytes(1000));
    expect(put.status).toBe(422);
    expect(await put.json()).toMatchObject({ code: 'checksum_mismatch' });
    expect(await keys(bucket)).toEqual(before);
  });

  it('collects a blob nothing refers to from the bucket once it is older than the upload TTL', async () => {
    const bytes = crypto.randomBytes(2000);
    const sha256 = digest('sha256', bytes);
    const upload = await requestUpload(server, 'dev', {
      filename: 'gc.bin',
      sha256_checksum: sha256,
      method: 'put',
    });
    expect((await putBytes(upload.upload_url, bytes)).status).toBe(200);
    expect(await keys(bucket, `blobs/${sha256}`)).toHaveLength(1);
    // The upload expires, and the blob it leaves is then garbage: both in one pass.
    const done = await runUploadExpiry(server.ctx, new Date(Date.now() + (TTL_SECONDS * 2 + 1) * 1000));
    expect(done.removedBlobs).toBeGreaterThanOrEqual(1);
    expect(await keys(bucket, `blobs/${sha256}`)).toEqual([]);
  });
});

/** Streams a PUT through node:http; resolves with the status, or 'connection lost'. */
function streamPut(url: string, body: Readable): Promise<number | 'connection lost'> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'PUT' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve('connection lost'));
    body.pipe(req);
  });
}

const describeShared = postgresAvailable() ? describe : describe.skip;

describeShared('two service processes sharing one PostgreSQL database and one bucket', () => {
  let pg: TestPostgres;
  let first: TestServer;
  let second: BuiltApp;
  let bucket: string;
  let open: () => void = () => undefined;
  const dirs: string[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    bucket = await s3.createBucket();
    const shared = {
      blobs: s3Config(bucket),
      database: { kind: 'postgres' as const, url: pg.url },
      limits: { uploadTtlSeconds: TTL_SECONDS },
    };
    first = await startTestServer(shared, { background: false });
    await createRepo(first.ctx.db, 'acme', 'dev');
    const dataDir = tempDir();
    dirs.push(dataDir);
    second = await buildApp(parseConfig({ ...shared, dataDir, logLevel: 'silent' }), { background: false });
  }, 90_000);
  afterAll(async () => {
    // A failed test must not leave its request hanging (closing the server would wait for it).
    open();
    await second?.app.close();
    await first?.close();
    pg?.stop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("leaves an upload that one process is receiving alone when the other's expiry pass finds it expired", async () => {
    const mib = 12;
    const chunks = Array.from({ length: mib }, () => crypto.randomBytes(MiB));
    const sha256 = digest('sha256', Buffer.concat(chunks));
    const upload: FileUpload = await requestUpload(first, 'dev', {
      filename: 'slow.bin',
      sha256_checksum: sha256,
      method: 'put',
    });
    const gate = new Promise<void>((resolve) => (open = resolve));
    const sending = streamPut(
      upload.upload_url,
      Readable.from(
        (async function* () {
          for (const [i, chunk] of chunks.entries()) {
            if (i === 2) await gate;
            yield chunk;
          }
        })(),
      ),
    );
    // Wait until the first process has marked the upload as receiving.
    for (
      let tries = 0;
      (await uploadsReceiving(second.ctx.db, [upload.identifier], new Date())).size === 0;
      tries++
    ) {
      if (tries > 400) throw new Error('the upload never became receiving');
      await new Promise((r) => setTimeout(r, 25));
    }
    // Past the upload's expiry, within one extra TTL: the other process must not cut it off.
    const expired = new Date(Date.now() + (TTL_SECONDS + 1) * 1000);
    const pass = await runUploadExpiry(second.ctx, expired);
    expect(pass.abortedUploads).toBe(0);
    expect(pass.releasedUploads).toBe(0);
    open();
    expect(await sending).toBe(200);
    const row = await second.ctx.db
      .selectFrom('uploads')
      .select(['state', 'blob_sha256'])
      .where('id', '=', upload.identifier)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'complete', blob_sha256: sha256 });
    expect(await keys(bucket)).toEqual([`blobs/${sha256}`]);
  }, 60_000);
});

describe('downloads redirected to presigned bucket URLs', () => {
  let server: TestServer;
  let bucket: string;

  beforeAll(async () => {
    bucket = await s3.createBucket();
    server = await startTestServer(
      { blobs: { ...s3Config(bucket)!, presignDownloads: true } as ServerConfigInput['blobs'] },
      { background: false },
    );
    await createRepo(server.ctx.db, 'acme', 'dev');
  }, 90_000);
  afterAll(async () => server?.close());

  it('answers GET with a short-lived signed link to the blob, after the usual checks', async () => {
    const bytes = crypto.randomBytes(5000);
    const sha256 = digest('sha256', bytes);
    const upload = await requestUpload(server, 'dev', {
      filename: 'r.bin',
      sha256_checksum: sha256,
      method: 'put',
    });
    expect((await putBytes(upload.upload_url, bytes)).status).toBe(200);
    const pkg = await createPackage(server, upload.identifier, 'r');

    const res = await fetch(pkg.cdn_url, { headers: { 'X-Api-Key': server.adminKey }, redirect: 'manual' });
    expect(res.status).toBe(302);
    const link = new URL(res.headers.get('location')!);
    expect(`${link.origin}${link.pathname}`).toBe(`${s3.endpoint}/${bucket}/blobs/${sha256}`);
    expect(link.searchParams.get('X-Amz-Expires')).toBe('300');
    const got = await fetch(link);
    expect(digest('sha256', Buffer.from(await got.arrayBuffer()))).toBe(sha256);

    // No key, no link: the checks run before any redirect.
    expect((await fetch(pkg.cdn_url, { redirect: 'manual' })).status).toBe(401);
    const head = await fetch(pkg.cdn_url, { method: 'HEAD', headers: { 'X-Api-Key': server.adminKey } });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-checksum-sha256')).toBe(sha256);
  });
});
