import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { TooLargeError, type BlobStore } from '../../../src/server/store/blobs.js';
import { FsBlobStore } from '../../../src/server/store/fs-blob-store.js';
import { S3BlobStore } from '../../../src/server/store/s3-blob-store.js';
import { startS3, type TestS3 } from '../../helpers/s3.js';
import { tempDir } from '../../helpers/server.js';

const MiB = 1024 * 1024;
const hex = (algorithm: string, bytes: Uint8Array): string =>
  crypto.createHash(algorithm).update(bytes).digest('hex');

/** Streams `bytes` in 64 KiB chunks, as a network body arrives. */
function body(bytes: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
    })(),
  );
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

/** A store under test and a look at what it keeps besides committed blobs. */
interface Subject {
  store: BlobStore;
  /** Names of staged objects and parts (not committed blobs) the store holds now. */
  leftovers(): Promise<string[]>;
  /** How many of each kind of object the store holds: staged, parts, blobs. */
  cleanup(): Promise<void>;
}

let s3: TestS3;

beforeAll(async () => {
  s3 = await startS3();
}, 90_000);

afterAll(async () => {
  await s3?.stop();
});

async function keysOf(client: S3Client, bucket: string): Promise<string[]> {
  const res = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (res.Contents ?? []).map((o) => o.Key!);
}

const SUBJECTS: [string, () => Promise<Subject>][] = [
  [
    'FsBlobStore',
    async () => {
      const dir = tempDir('airlock-blobs-');
      return {
        store: new FsBlobStore(dir),
        leftovers: async () => [
          ...filesUnder(path.join(dir, 'tmp')),
          ...filesUnder(path.join(dir, 'parts')).map((f) => `part ${f}`),
        ],
        cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
  ],
  [
    'S3BlobStore',
    async () => {
      const bucket = await s3.createBucket();
      return {
        store: new S3BlobStore({ client: s3.client, bucket, endpoint: s3.endpoint }),
        leftovers: async () => (await keysOf(s3.client, bucket)).filter((k) => !k.startsWith('blobs/')),
        cleanup: async () => undefined,
      };
    },
  ],
];

describe.each(SUBJECTS)('the blob store contract: %s', (_name, make) => {
  let subject: Subject;
  let store: BlobStore;

  beforeEach(async () => {
    subject = await make();
    store = subject.store;
  });

  afterEach(async () => {
    await subject.cleanup();
  });

  it('stages bytes with their digests, keeps them out of the store until committed, then reads them back', async () => {
    const bytes = crypto.randomBytes(300_000);
    const staged = await store.stage(body(bytes), 10 * MiB);
    expect(staged).toMatchObject({
      sha256: hex('sha256', bytes),
      md5: hex('md5', bytes),
      sha1: hex('sha1', bytes),
      size: bytes.length,
      sha512: null,
    });
    expect(await store.has(staged.sha256)).toBe(false);
    await staged.commit();
    expect(await store.has(staged.sha256)).toBe(true);
    expect((await readAll(await store.read(staged.sha256))).equals(bytes)).toBe(true);
    expect(await subject.leftovers()).toEqual([]);
  });

  it('streams a blob larger than one transfer part, and an empty one', async () => {
    const big = crypto.randomBytes(19 * MiB + 123);
    const staged = await store.stage(body(big), 64 * MiB);
    expect(staged.sha256).toBe(hex('sha256', big));
    expect(staged.md5).toBe(hex('md5', big));
    await staged.commit();
    expect(hex('sha256', await readAll(await store.read(staged.sha256)))).toBe(staged.sha256);

    const empty = await store.stage(body(Buffer.alloc(0)), 10);
    expect(empty).toMatchObject({ size: 0, sha256: hex('sha256', Buffer.alloc(0)) });
    await empty.commit();
    expect((await readAll(await store.read(empty.sha256))).length).toBe(0);
  }, 60_000);

  it('commits idempotently: twice, and the same bytes staged again onto an existing blob', async () => {
    const bytes = crypto.randomBytes(5000);
    const first = await store.stage(body(bytes), 10_000);
    await first.commit();
    await first.commit();
    await first.discard();
    expect(await store.has(first.sha256)).toBe(true);
    const again = await store.stage(body(bytes), 10_000);
    await again.commit();
    expect((await readAll(await store.read(again.sha256))).equals(bytes)).toBe(true);
    expect(await subject.leftovers()).toEqual([]);
  });

  it('reads byte ranges, inclusive at both ends', async () => {
    const bytes = crypto.randomBytes(100_000);
    const staged = await store.stage(body(bytes), 200_000);
    await staged.commit();
    const range = async (start: number, end: number): Promise<Buffer> =>
      readAll(await store.read(staged.sha256, { start, end }));
    expect((await range(0, 0)).equals(bytes.subarray(0, 1))).toBe(true);
    expect((await range(1000, 54_321)).equals(bytes.subarray(1000, 54_322))).toBe(true);
    expect((await range(99_990, 99_999)).equals(bytes.subarray(99_990))).toBe(true);
  });

  it('removes a blob, and removing an absent one is no error', async () => {
    const staged = await store.stage(body(crypto.randomBytes(100)), 1000);
    await staged.commit();
    await store.remove(staged.sha256);
    expect(await store.has(staged.sha256)).toBe(false);
    await expect(store.remove(staged.sha256)).resolves.toBeUndefined();
    await expect(store.read(staged.sha256)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a body past the limit without keeping anything, and a discarded one leaves nothing', async () => {
    const err = await store.stage(body(crypto.randomBytes(3 * MiB)), MiB).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeError);
    expect(await subject.leftovers()).toEqual([]);

    const broken = new Readable({
      read() {
        this.push(crypto.randomBytes(1000));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.stage(broken, MiB)).rejects.toThrow(/connection reset/);
    expect(await subject.leftovers()).toEqual([]);

    const staged = await store.stage(body(crypto.randomBytes(500)), MiB);
    await staged.discard();
    expect(await store.has(staged.sha256)).toBe(false);
    expect(await subject.leftovers()).toEqual([]);
  });

  it('stores parts, replaces a part sent again, joins them in the order given and removes them', async () => {
    const parts = [crypto.randomBytes(70_000), crypto.randomBytes(50_000), crypto.randomBytes(123)];
    for (const [i, part] of parts.entries()) {
      expect(await store.stagePart('up1', i + 1, body(part), MiB)).toBe(part.length);
    }
    parts[1] = crypto.randomBytes(60_001);
    expect(await store.stagePart('up1', 2, body(parts[1]), MiB)).toBe(60_001);
    // Too large: refused, and the part stored before stays whole.
    await expect(store.stagePart('up1', 2, body(crypto.randomBytes(2000)), 1000)).rejects.toBeInstanceOf(
      TooLargeError,
    );
    const whole = Buffer.concat(parts);
    const staged = await store.concatParts('up1', [1, 2, 3], MiB);
    expect(staged).toMatchObject({ sha256: hex('sha256', whole), size: whole.length });
    await staged.commit();
    expect((await readAll(await store.read(staged.sha256))).equals(whole)).toBe(true);

    await expect(store.concatParts('up1', [1, 2, 3], whole.length - 1)).rejects.toBeInstanceOf(TooLargeError);
    await store.removeParts('up1');
    await store.removeParts('up1');
    expect(await subject.leftovers()).toEqual([]);
  });

  it('refuses names that are not a sha256 or an upload id', async () => {
    await expect(store.read('../../etc/passwd')).rejects.toThrow(/Not a sha256 digest/);
    await expect(store.stagePart('../x', 1, body(Buffer.from('x')), 10)).rejects.toThrow(/Bad upload id/);
    await expect(store.stagePart('up', 0, body(Buffer.from('x')), 10)).rejects.toThrow(/Bad part number/);
  });
});

describe('S3BlobStore beyond the contract', () => {
  it('commits above the single-copy threshold by multipart copy (UploadPartCopy)', async () => {
    const bucket = await s3.createBucket();
    const store = new S3BlobStore({
      client: s3.client,
      bucket,
      multipartCopyThreshold: MiB,
      copyPartSize: 5 * MiB,
    });
    const bytes = crypto.randomBytes(12 * MiB + 5);
    const staged = await store.stage(body(bytes), 64 * MiB);
    await staged.commit();
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: `blobs/${staged.sha256}` }),
    );
    // A multipart object's ETag ends in the number of its parts: 5 + 5 + 2 MiB.
    expect(head.ETag).toMatch(/-3"?$/);
    expect(hex('sha256', await readAll(await store.read(staged.sha256)))).toBe(hex('sha256', bytes));
    expect(await keysOf(s3.client, bucket)).toEqual([`blobs/${staged.sha256}`]);
  }, 60_000);

  it('aborts a transfer that passes the limit after some of its parts were sent, keeping nothing', async () => {
    const bucket = await s3.createBucket();
    const store = new S3BlobStore({ client: s3.client, bucket });
    await expect(store.stage(body(crypto.randomBytes(20 * MiB)), 17 * MiB)).rejects.toBeInstanceOf(
      TooLargeError,
    );
    expect(await keysOf(s3.client, bucket)).toEqual([]);
    const open = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(open.Uploads ?? []).toEqual([]);
  }, 60_000);

  it('says which setting is wrong when the bucket is unknown or the endpoint unreachable', async () => {
    const missing = new S3BlobStore({ client: s3.client, bucket: 'no-such-bucket', endpoint: s3.endpoint });
    await expect(missing.check()).rejects.toThrow(
      /s3:\/\/no-such-bucket \(--blob-store\) at http:\/\/127\.0\.0\.1:\d+ \(--s3-endpoint\): the bucket does not exist/,
    );
    const nowhere = new S3Client({
      responseChecksumValidation: 'WHEN_REQUIRED',
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
    });
    const unreachable = new S3BlobStore({ client: nowhere, bucket: 'b', endpoint: 'http://127.0.0.1:9' });
    await expect(unreachable.check()).rejects.toThrow(/\(--s3-endpoint\): it cannot be reached/);
    nowhere.destroy();
  });

  it('clears staged objects older than the given time and keeps younger ones', async () => {
    const bucket = await s3.createBucket();
    const store = new S3BlobStore({ client: s3.client, bucket });
    const staged = await store.stage(body(crypto.randomBytes(10)), 100);
    await store.clearStaging(new Date(Date.now() - 3600_000));
    expect(await keysOf(s3.client, bucket)).toHaveLength(1);
    await store.clearStaging(new Date(Date.now() + 3600_000));
    expect(await keysOf(s3.client, bucket)).toEqual([]);
    await staged.discard();
  });

  it('hands out presigned download links only when told to', async () => {
    const bucket = await s3.createBucket();
    const plain = new S3BlobStore({ client: s3.client, bucket });
    const signing = new S3BlobStore({ client: s3.client, bucket, presignDownloads: true });
    const bytes = crypto.randomBytes(1000);
    const staged = await plain.stage(body(bytes), 2000);
    await staged.commit();
    expect(await plain.downloadLink(staged.sha256, { filename: 'a.bin', expiresInSeconds: 60 })).toBeNull();
    const link = await signing.downloadLink(staged.sha256, { filename: 'a "b".bin', expiresInSeconds: 60 });
    const res = await fetch(link!);
    expect(res.status).toBe(200);
    // The file name rides in the signed query (moto does not echo it back as a header; S3 does).
    expect(new URL(link!).searchParams.get('response-content-disposition')).toBe(
      'attachment; filename="a _b_.bin"',
    );
    expect(new URL(link!).searchParams.get('X-Amz-Expires')).toBe('60');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });
});

describe('FsBlobStore beyond the contract', () => {
  it('links a blob to a second name without copying it; the link outlives the blob', async () => {
    const dir = tempDir('airlock-blobs-');
    try {
      const store = new FsBlobStore(dir);
      const bytes = crypto.randomBytes(200_000);
      const staged = await store.stage(body(bytes), MiB);
      await staged.commit();
      const file = path.join(dir, 'tmp', 'scratch');
      expect(await store.linkTo(staged.sha256, file)).toBe(true);
      // The same inode: nothing was copied.
      const [blob] = fs
        .readdirSync(path.join(dir, 'blobs'), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile());
      expect(fs.statSync(file).ino).toBe(fs.statSync(path.join(blob!.parentPath, blob!.name)).ino);
      await store.remove(staged.sha256);
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
      fs.rmSync(file);
      await expect(store.linkTo(staged.sha256, file)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
