import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startNginx, type TestNginx } from './nginx.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { startS3, type TestS3 } from './s3.js';
import { tempDir } from './server.js';
import { freePort } from './ports.js';

// From test/helpers/ in the tests, from lib/test/helpers/ when the benchmarks run it compiled.
const BIN = ['../../bin/airlock-server.js', '../../../bin/airlock-server.js']
  .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
  .find((file) => fs.existsSync(file))!;

/** One `airlock-server serve` process of a deployment. */
export interface Replica {
  port: number;
  url: string;
  process: ChildProcess;
  /** Sends a signal and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts the process again on the same port. */
  restart(): Promise<void>;
}

/** PostgreSQL, an S3 API server, `count` replicas and nginx in front of them, all on loopback. */
export interface Deployment {
  /** nginx's URL: what clients use, and the service's public URL. */
  url: string;
  org: string;
  adminKey: string;
  replicas: Replica[];
  pg: TestPostgres;
  s3: TestS3;
  bucket: string;
  nginx: TestNginx;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/status/check/basic/`);
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Options of {@link startDeployment}. */
export interface DeploymentOptions {
  replicas: number;
  /** Further `serve` flags for every replica. */
  serveArgs?: string[];
}

/**
 * Starts a deployment as docs/self-hosting.md describes it: one `init` against the shared
 * database, then `serve` processes that share the database, the bucket and the secret file and
 * keep nothing of their own, behind nginx.
 */
export async function startDeployment(options: DeploymentOptions): Promise<Deployment> {
  const pg = await startPostgres();
  const s3 = await startS3();
  const cleanups: (() => Promise<void> | void)[] = [() => pg.stop(), () => s3.stop()];
  try {
    const bucket = await s3.createBucket('airlock');
    const initDir = tempDir('airlock-init-');
    cleanups.push(() => fs.rmSync(initDir, { recursive: true, force: true }));
    const init = await promisify(execFile)(
      process.execPath,
      [BIN, 'init', '--data-dir', initDir, '--org', 'acme', '--json', '--database-url', pg.url],
      { env: process.env },
    );
    const created = JSON.parse(init.stdout) as { api_key: string; secret_file: string };
    const secretFile = path.join(tempDir('airlock-secret-'), 'secret');
    fs.copyFileSync(created.secret_file, secretFile);

    const ports = await Promise.all(Array.from({ length: options.replicas }, () => freePort()));
    const nginx = await startNginx(ports);
    cleanups.push(() => nginx.stop());
    const replicas: Replica[] = [];
    for (const port of ports) {
      const dataDir = tempDir('airlock-replica-');
      cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      const args = [
        BIN,
        'serve',
        '--data-dir',
        dataDir,
        '--port',
        String(port),
        '--database-url',
        pg.url,
        '--blob-store',
        `s3://${bucket}`,
        '--s3-endpoint',
        s3.endpoint,
        '--s3-region',
        s3.region,
        '--s3-force-path-style',
        '--secret-file',
        secretFile,
        '--public-url',
        nginx.url,
        '--trust-proxy',
        'loopback',
        '--outbound-allow',
        '127.0.0.1/32',
        '--advisories-sync-interval',
        '0',
        '--log-level',
        'warn',
        ...(options.serveArgs ?? []),
      ];
      const replica: Replica = {
        port,
        url: `http://127.0.0.1:${port}`,
        process: null as unknown as ChildProcess,
        async kill(signal) {
          const child = replica.process;
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
          child.kill(signal);
          await exited;
        },
        async restart() {
          replica.process = spawn(process.execPath, args, {
            stdio: ['ignore', 'ignore', 'pipe'],
            env: process.env,
          });
          let stderr = '';
          replica.process.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8000)));
          const until = Date.now() + 30_000;
          while (!(await answers(replica.url))) {
            if (replica.process.exitCode !== null) throw new Error(`replica :${port} exited: ${stderr}`);
            if (Date.now() > until) throw new Error(`replica :${port} did not answer: ${stderr}`);
            await new Promise((r) => setTimeout(r, 100));
          }
        },
      };
      await replica.restart();
      cleanups.push(() => replica.kill('SIGKILL'));
      replicas.push(replica);
    }
    return {
      url: nginx.url,
      org: 'acme',
      adminKey: created.api_key,
      replicas,
      pg,
      s3,
      bucket,
      nginx,
      async stop() {
        for (const cleanup of cleanups.reverse()) await cleanup();
      },
    };
  } catch (err) {
    for (const cleanup of cleanups.reverse()) await cleanup();
    throw err;
  }
}
