import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from './ports.js';

/** A real S3 API server (moto's standalone server) on a loopback port, for one test file. */
export interface TestS3 {
  /** The endpoint URL, e.g. `http://127.0.0.1:PORT`. */
  endpoint: string;
  region: string;
  /** A client for it with the test credentials, path-style addressing. */
  client: S3Client;
  /** Creates a fresh, empty bucket and returns its name. */
  createBucket(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'moto_server (an S3 API server) is not on the PATH. Install it into a virtual environment: ' +
  "python3 -m venv ~/.cache/airlock-venv && ~/.cache/airlock-venv/bin/pip install 'moto[server]==5.2.1' " +
  '&& export PATH=~/.cache/airlock-venv/bin:$PATH (.ci/run does this).';

/** True when `moto_server` can be run. */
export function s3ServerAvailable(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

let bucketCount = 0;

/**
 * Starts `moto_server -H 127.0.0.1 -p PORT` and waits until it answers. The AWS SDK's default
 * credential chain reads the environment, so the test credentials go there (moto accepts any).
 */
export async function startS3(): Promise<TestS3> {
  if (!s3ServerAvailable()) throw new Error(INSTALL_HINT);
  process.env.AWS_ACCESS_KEY_ID ??= 'airlock-test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'airlock-test-secret';
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited at start: ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const region = 'us-east-1';
  // Response checksums are checked only when asked for, as the service's own client does.
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    region,
    client,
    async createBucket(prefix = 'airlock') {
      bucketCount += 1;
      const name = `${prefix}-${process.pid}-${bucketCount}`;
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    async stop() {
      client.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
