import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { newId } from '../src/server/domain/ids.js';
import { openDatabase } from '../src/server/store/db.js';

const MIB = 1024 * 1024;
const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/airlock-server.js', import.meta.url));

/** Figures of one upload run. */
export interface UploadFigures {
  bytes: number;
  uploadMBps: number;
  cpMBps: number;
  sha256sumMBps: number;
  /** Upload time ÷ (cp time + sha256sum time): below 1, receiving beats copying then hashing. */
  ratio: number;
  /** Server resident set before the upload and at its peak during it, in MiB. */
  rssBeforeMiB: number;
  rssPeakMiB: number;
  /** The process's high-water mark (VmHWM) after the upload, start-up included. */
  rssHighWaterMiB: number;
}

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Writes `bytes` of incompressible data: one random 16 MiB block, stamped differently each time. */
async function writePayload(file: string, bytes: number): Promise<void> {
  const block = crypto.randomBytes(16 * MIB);
  const out = fs.createWriteStream(file);
  for (let at = 0, i = 0; at < bytes; at += block.length, i++) {
    block.writeUInt32BE(i, 0);
    const piece = Buffer.from(block.subarray(0, Math.min(block.length, bytes - at)));
    if (!out.write(piece)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = fs
    .readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(field + ':'));
  return line ? Number(line.replace(/\D+/g, '')) / 1024 : 0;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The real `airlock-server` process on a data directory with org `bench` and repository `dev`. */
async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string; key: string }> {
  const { stdout } = await run(process.execPath, [
    BIN,
    'init',
    '--data-dir',
    dataDir,
    '--org',
    'bench',
    '--json',
  ]);
  const key = (JSON.parse(stdout) as { api_key: string }).api_key;
  const db = await openDatabase({ kind: 'sqlite', file: path.join(dataDir, 'airlock.db') });
  const org = await db.selectFrom('orgs').select('id').where('slug', '=', 'bench').executeTakeFirstOrThrow();
  await db
    .insertInto('repos')
    .values({
      id: newId(),
      org_id: org.id,
      slug: 'dev',
      name: 'dev',
      description: '',
      repository_type: 'Private',
      created_at: new Date().toISOString(),
      created_by: null,
      deleted_at: null,
    })
    .execute();
  await db.destroy();
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--data-dir', dataDir, '--port', String(port), '--log-level', 'warn'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error('the server exited at start');
    const ok = await fetch(`${url}/status/check/basic/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, url, key };
    if (i > 400) throw new Error('the server did not start within 20 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** PUTs a file through node:http, streamed from disk; resolves with the response body. */
function putFile(url: string, file: string, size: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { 'Content-Length': String(size) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`PUT ${res.statusCode} ${body}`)),
      );
    });
    req.on('error', reject);
    fs.createReadStream(file, { highWaterMark: MIB }).pipe(req);
  });
}

/**
 * Uploads a file (1 GiB unless BENCH_UPLOAD_MIB says otherwise) to the real service process
 * through a signed PUT on loopback, and times `cp` and `sha256sum` of the same file on the same
 * disk for comparison. Prints MB/s of each, the ratio, and the server's resident memory.
 */
export async function benchUpload(): Promise<UploadFigures> {
  const bytes = Number(process.env.BENCH_UPLOAD_MIB ?? 1024) * MIB;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-upload-'));
  const payload = path.join(dir, 'payload.bin');
  let server: ChildProcess | null = null;
  try {
    await writePayload(payload, bytes);
    const cpSeconds = await seconds(() => run('cp', [payload, path.join(dir, 'payload.copy')]));
    fs.rmSync(path.join(dir, 'payload.copy'));
    let sha256 = '';
    const shaSeconds = await seconds(async () => {
      sha256 = (await run('sha256sum', [payload])).stdout.split(/\s+/)[0]!;
    });

    const started = await startServer(path.join(dir, 'data'));
    server = started.child;
    const pid = server.pid!;
    const res = await fetch(`${started.url}/files/bench/dev/`, {
      method: 'POST',
      headers: { 'X-Api-Key': started.key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ filename: 'payload.bin', sha256_checksum: sha256, method: 'put' }),
    });
    if (res.status !== 202) throw new Error(`upload request: ${res.status} ${await res.text()}`);
    const { upload_url: uploadUrl } = (await res.json()) as { upload_url: string };

    const rssBefore = statusField(pid, 'VmRSS');
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, statusField(pid, 'VmRSS'))), 20);
    let stored = '';
    const uploadSeconds = await seconds(async () => {
      stored = await putFile(uploadUrl, payload, bytes);
    });
    clearInterval(sampler);
    const rssHighWater = statusField(pid, 'VmHWM');
    if ((JSON.parse(stored) as { sha256_checksum: string }).sha256_checksum !== sha256) {
      throw new Error('the service stored different bytes');
    }

    const mbps = (s: number) => bytes / 1e6 / s;
    const figures: UploadFigures = {
      bytes,
      uploadMBps: mbps(uploadSeconds),
      cpMBps: mbps(cpSeconds),
      sha256sumMBps: mbps(shaSeconds),
      ratio: uploadSeconds / (cpSeconds + shaSeconds),
      rssBeforeMiB: rssBefore,
      rssPeakMiB: rssPeak,
      rssHighWaterMiB: rssHighWater,
    };
    console.log(
      `upload of ${(bytes / MIB).toFixed(0)} MiB (PUT on loopback, sha256 + md5 + sha1, fsync): ` +
        `${figures.uploadMBps.toFixed(0)} MB/s; cp ${figures.cpMBps.toFixed(0)} MB/s; ` +
        `sha256sum ${figures.sha256sumMBps.toFixed(0)} MB/s; ` +
        `upload ÷ (cp + sha256sum) time ratio ${figures.ratio.toFixed(2)}; ` +
        `server RSS ${rssBefore.toFixed(0)} MiB before, ${rssPeak.toFixed(0)} MiB peak during the upload ` +
        `(VmHWM ${rssHighWater.toFixed(0)} MiB)`,
    );
    return figures;
  } finally {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
