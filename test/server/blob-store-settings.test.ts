import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { main, type Io } from '../../src/server/main.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { tempDir } from '../helpers/server.js';
import { freePort } from '../helpers/ports.js';

const BIN = fileURLToPath(new URL('../../bin/airlock-server.js', import.meta.url));

function capture(env: NodeJS.ProcessEnv = {}): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => (out += t), err: (t) => (err += t), env, stdout: () => out, stderr: () => err };
}

describe('the blob store settings of airlock-server serve', () => {
  let s3: TestS3;
  let dir: string;

  beforeAll(async () => {
    s3 = await startS3();
  }, 90_000);
  afterAll(async () => s3?.stop());
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    [['--blob-store', 'http://bucket'], /--blob-store: expected fs or s3:\/\/BUCKET/],
    [['--blob-store', 's3://Bad_Bucket'], /--blob-store: 'Bad_Bucket' is not a valid bucket name/],
    [['--s3-region', 'eu-west-1'], /--s3-region: an S3 setting needs an S3 blob store/],
    [['--blob-store', 's3://bkt', '--s3-force-path-style', 'yes'], /Unexpected argument 'yes'/],
    [
      ['--blob-store', 's3://bkt', '--s3-endpoint', 'localhost:9000'],
      /--s3-endpoint: expected an http:\/\/ or https:\/\/ URL/,
    ],
  ])('refuses %j with a usage error naming the setting', async (args, message) => {
    const io = capture();
    expect(await main(['serve', '--data-dir', dir, ...args], io)).toBe(2);
    expect(io.stderr()).toMatch(message);
  });

  it('stops at start with an error naming the setting when the bucket is unknown or the endpoint unreachable', async () => {
    const missing = capture();
    const args = ['serve', '--data-dir', dir, '--port', '0', '--log-level', 'silent'];
    expect(
      await main([...args, '--blob-store', 's3://no-such-bucket', '--s3-endpoint', s3.endpoint], missing),
    ).toBe(1);
    expect(missing.stderr()).toMatch(
      /^airlock-server: Blob store s3:\/\/no-such-bucket \(--blob-store\) at http:\/\/127\.0\.0\.1:\d+ \(--s3-endpoint\): the bucket does not exist\.\n$/,
    );
    // The same from the environment, against a port nothing listens on.
    const unreachable = capture({
      AIRLOCK_BLOB_STORE: 's3://some-bucket',
      AIRLOCK_S3_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    });
    expect(await main(args, unreachable)).toBe(1);
    expect(unreachable.stderr()).toMatch(
      /s3:\/\/some-bucket \(--blob-store\) at .* \(--s3-endpoint\): it cannot be reached/,
    );
    expect(unreachable.stderr()).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('serves with blobs in the bucket named by the environment', async () => {
    const bucket = await s3.createBucket();
    const init = capture();
    expect(await main(['init', '--data-dir', dir, '--org', 'acme', '--json'], init)).toBe(0);
    const key = (JSON.parse(init.stdout()) as { api_key: string }).api_key;
    const port = await freePort();
    const child: ChildProcess = spawn(
      process.execPath,
      [
        BIN,
        'serve',
        '--data-dir',
        dir,
        '--port',
        String(port),
        '--log-level',
        'warn',
        '--advisories-sync-interval',
        '0',
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...process.env,
          AIRLOCK_BLOB_STORE: `s3://${bucket}`,
          AIRLOCK_S3_ENDPOINT: s3.endpoint,
          AIRLOCK_S3_REGION: s3.region,
          AIRLOCK_S3_FORCE_PATH_STYLE: 'true',
        },
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const base = `http://127.0.0.1:${port}`;
      for (let tries = 0; ; tries++) {
        if (child.exitCode !== null) throw new Error('the server exited');
        const ok = await fetch(`${base}/status/check/basic/`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (tries > 600) throw new Error('the server did not answer');
        await new Promise((r) => setTimeout(r, 50));
      }
      const headers = { 'X-Api-Key': key, 'Content-Type': 'application/json' };
      const repo = await fetch(`${base}/repos/acme/`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'dev', slug: 'dev' }),
      });
      expect(repo.status).toBe(201);
      const bytes = crypto.randomBytes(4096);
      const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
      const granted = await fetch(`${base}/files/acme/dev/`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ filename: 'x.bin', sha256_checksum: sha256, method: 'put' }),
      });
      const { upload_url } = (await granted.json()) as { upload_url: string };
      expect((await fetch(upload_url, { method: 'PUT', body: bytes })).status).toBe(200);
      const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([`blobs/${sha256}`]);
      // `init` ran without S3 and made the data directory's blob folder; nothing went into it.
      const onDisk = fs.existsSync(`${dir}/blobs`) ? fs.readdirSync(`${dir}/blobs`, { recursive: true }) : [];
      expect(onDisk.map(String).filter((name) => name.includes(sha256))).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 60_000);
});
