import { initService } from '../test/helpers/service-process.js';
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
import { RepositoryClient } from '../src/client/client.js';
import { hashFile } from '../src/client/upload.js';
import { newId } from '../src/server/domain/ids.js';
import { openDatabase } from '../src/server/store/db.js';

const MIB = 1024 * 1024;
const run = promisify(execFile);
// BENCH_SERVER_BIN runs another build of the service (to compare two builds in the same minutes).
const BIN =
  process.env.BENCH_SERVER_BIN ?? fileURLToPath(new URL('../../bin/airlock-server.js', import.meta.url));
// BENCH_CLI runs another build of the `airlock` command (dist/cli/index.js: the bundle users run).
const CLI = process.env.BENCH_CLI ?? fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** Figures of one upload run. */
export interface UploadFigures {
  bytes: number;
  /** Best of two single uploads, and of two `sha256sum` runs of the same file, in MB/s. */
  uploadMBps: number;
  sha256sumMBps: number;
  cpMBps: number;
  /** Upload throughput ÷ sha256sum throughput (the aim is at least 0.97). */
  throughputRatio: number;
  /** Upload time ÷ (cp time + sha256sum time): below 1, receiving beats copying then hashing. */
  ratio: number;
  /** Server resident set before the uploads, in MiB. */
  rssIdleMiB: number;
  /** Its peak during one upload, and during four concurrent uploads of the same size. */
  rssPeakMiB: number;
  rssPeakFourMiB: number;
  /** Four concurrent uploads together, in MB/s. */
  fourMBps: number;
  /** The process's high-water mark (VmHWM) after all uploads, start-up included. */
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
  const key = (await initService(dataDir, { org: 'bench' })).api_key;
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

/** CPU seconds (user + system) a process has used, from /proc; `children` counts its waited-for children. */
function cpuSeconds(pid: number | 'self', children = false): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // Fields 14-17 of stat (utime, stime, cutime, cstime), counted here from field 3.
  const at = children ? 13 : 11;
  return (Number(fields[at]) + Number(fields[at + 1])) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

/**
 * The sending client. `curl` (the default: `curl -T`, what a CI job runs to PUT a file) and
 * `node-reuse` (node:http reading into two reused buffers) cost the sender about 0.5–0.9 s of CPU
 * per GiB; `node` (a read stream piped into the request, a new 1 MiB buffer per chunk) costs it
 * 2.4–4 s, which on two cores the service's hashing has to share.
 */
const CLIENTS = ['curl', 'node-reuse', 'node'] as const;
const CLIENT = process.env.BENCH_UPLOAD_CLIENT ?? 'curl';
if (!(CLIENTS as readonly string[]).includes(CLIENT)) {
  throw new Error(`BENCH_UPLOAD_CLIENT must be one of ${CLIENTS.join(', ')}; got '${CLIENT}'.`);
}
const READ_CHUNK = Number(process.env.BENCH_UPLOAD_READ_KIB ?? 1024) * 1024;

/**
 * A PUT of `size` bytes through node:http, for `send` to write the body into; resolves with the
 * response body of a 200, rejects with any other answer.
 */
function putThroughNode(url: string, size: number, send: (req: http.ClientRequest) => void): Promise<string> {
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
    send(req);
  });
}

/** PUTs a file through node:http, streamed from disk; resolves with the response body. */
function putFileNode(url: string, file: string, size: number): Promise<string> {
  return putThroughNode(url, size, (req) =>
    fs.createReadStream(file, { highWaterMark: READ_CHUNK }).pipe(req),
  );
}

/** PUTs a file with curl -T; resolves with the response body. */
async function putFileCurl(url: string, file: string): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--fail-with-body', '-T', file, url], { maxBuffer: 1 << 20 });
  return stdout;
}

/**
 * PUTs a file through node:http reading into two buffers in turn (each reused once the socket has
 * taken it), so sending allocates nothing per chunk.
 */
function putFileReusing(url: string, file: string, size: number): Promise<string> {
  return putThroughNode(url, size, (req) => {
    void (async () => {
      const handle = await fs.promises.open(file);
      try {
        const buffers = [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)];
        const written: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
        for (let at = 0, i = 0; at < size; i ^= 1) {
          await written[i];
          const { bytesRead } = await handle.read(buffers[i]!, 0, READ_CHUNK, at);
          if (bytesRead === 0) throw new Error('the file ended early');
          at += bytesRead;
          written[i] = new Promise<void>((done, fail) =>
            req.write(buffers[i]!.subarray(0, bytesRead), (err) => (err ? fail(err) : done())),
          );
        }
        await Promise.all(written);
        req.end();
      } finally {
        await handle.close();
      }
    })().catch((err: unknown) => req.destroy(err as Error));
  });
}

function putFile(url: string, file: string, size: number): Promise<string> {
  if (CLIENT === 'node') return putFileNode(url, file, size);
  if (CLIENT === 'node-reuse') return putFileReusing(url, file, size);
  return putFileCurl(url, file);
}

/** A running server, with a way to ask for upload URLs. */
interface Served {
  child: ChildProcess;
  url: string;
  key: string;
}

async function requestUpload(server: Served, sha256: string): Promise<string> {
  const res = await fetch(`${server.url}/files/bench/dev/`, {
    method: 'POST',
    headers: { 'X-Api-Key': server.key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ filename: 'payload.bin', sha256_checksum: sha256, method: 'put' }),
  });
  if (res.status !== 202) throw new Error(`upload request: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { upload_url: string }).upload_url;
}

/**
 * Sends `count` uploads of `file` at once; resolves with the seconds they took and the server's
 * peak resident set meanwhile (sampled every 20 ms).
 */
async function uploadConcurrently(
  server: Served,
  file: string,
  bytes: number,
  sha256: string,
  count: number,
): Promise<{ seconds: number; peakMiB: number; serverCpu: number; clientCpu: number }> {
  const urls = await Promise.all(Array.from({ length: count }, () => requestUpload(server, sha256)));
  const pid = server.child.pid!;
  let peak = statusField(pid, 'VmRSS');
  const sampler = setInterval(() => (peak = Math.max(peak, statusField(pid, 'VmRSS'))), 20);
  const cpuBefore = { server: cpuSeconds(pid), self: cpuSeconds('self'), children: cpuSeconds('self', true) };
  try {
    const elapsed = await seconds(async () => {
      const bodies = await Promise.all(urls.map((u) => putFile(u, file, bytes)));
      for (const body of bodies) {
        if ((JSON.parse(body) as { sha256_checksum: string }).sha256_checksum !== sha256) {
          throw new Error('the service stored different bytes');
        }
      }
    });
    return {
      seconds: elapsed,
      peakMiB: Math.max(peak, statusField(pid, 'VmRSS')),
      serverCpu: cpuSeconds(pid) - cpuBefore.server,
      clientCpu: cpuSeconds('self') - cpuBefore.self + (cpuSeconds('self', true) - cpuBefore.children),
    };
  } finally {
    clearInterval(sampler);
  }
}

/** One sender's upload of the payload: wall seconds and the sender's CPU seconds. */
interface SenderRun {
  seconds: number;
  cpu: number;
}

/** CPU seconds of this process and of its waited-for children, together. */
function ownCpu(): number {
  return cpuSeconds('self') + cpuSeconds('self', true);
}

async function timeSender(send: () => Promise<void>): Promise<SenderRun> {
  const before = ownCpu();
  const elapsed = await seconds(send);
  return { seconds: elapsed, cpu: ownCpu() - before };
}

let pushes = 0;

/**
 * The senders compared: `curl -T` of a signed PUT URL (what a CI job would run); the project's
 * upload client in this process (`RepositoryClient.uploadFile`, told the file's sha256 as the push
 * step tells it) with one PUT, as curl sends it, and with the 100 MiB parts users get for a file
 * this size; and `airlock push` as a CI job runs it: its own process, which starts, reads the file
 * for its sha256, looks for an identical package, uploads and creates the package.
 */
function senders(server: Served, file: string, bytes: number, sha256: string) {
  const client = new RepositoryClient({ baseUrl: server.url, apiKey: server.key });
  const upload = async (multipartThreshold?: number) => {
    const uploaded = await client.uploadFile('bench', 'dev', file, {
      hashed: { sha256, size: bytes },
      ...(multipartThreshold ? { multipartThreshold } : {}),
    });
    if (uploaded.sha256 !== sha256) throw new Error('the client declared different bytes');
  };
  return {
    curl: async () => {
      const body = await putFileCurl(await requestUpload(server, sha256), file);
      if ((JSON.parse(body) as { sha256_checksum: string }).sha256_checksum !== sha256) {
        throw new Error('the service stored different bytes');
      }
    },
    onePut: () => upload(Number.MAX_SAFE_INTEGER),
    parts: () => upload(),
    push: async () => {
      const version = `1.0.${++pushes}`;
      await run(
        process.execPath,
        [
          CLI,
          'push',
          ...['--api-url', server.url, '--api-key', server.key, '--owner', 'bench', '--repo', 'dev'],
          ...['--files', file, '--format', 'raw', '--name', 'payload', '--version', version],
        ],
        { maxBuffer: 1 << 20, env: { PATH: process.env.PATH ?? '' } },
      );
    },
  };
}

/**
 * Uploads the payload with each sender in turn, twice over, and prints each one's CPU per GiB
 * (the smaller of two: load from elsewhere only adds to it) and best throughput, with ratios to
 * curl's. `airlock push` also reads the whole file for its sha256 before it sends a byte, so its
 * floor is curl's CPU plus that of hashing the file in this process (`hashFile`, timed here).
 */
async function compareSenders(server: Served, file: string, bytes: number, sha256: string): Promise<void> {
  const send = senders(server, file, bytes, sha256);
  type Name = keyof typeof send;
  const runs: Record<Name | 'hash', SenderRun[]> = { curl: [], onePut: [], parts: [], push: [], hash: [] };
  for (let round = 0; round < 2; round++) {
    for (const name of Object.keys(send) as Name[]) runs[name].push(await timeSender(send[name]));
    runs.hash.push(await timeSender(() => hashFile(file).then(() => undefined)));
  }
  const perGiB = (cpu: number) => (cpu * 1024 * MIB) / bytes;
  const leastCpu = (name: Name | 'hash') => perGiB(Math.min(...runs[name].map((r) => r.cpu)));
  const bestMBps = (name: Name) => bytes / 1e6 / Math.min(...runs[name].map((r) => r.seconds));
  const figure = (name: Name) =>
    `${leastCpu(name).toFixed(2)} s (${runs[name].map((r) => perGiB(r.cpu).toFixed(2)).join(', ')}), ` +
    `${bestMBps(name).toFixed(0)} MB/s`;
  const throughput = (name: Name) => `×${(bestMBps(name) / bestMBps('curl')).toFixed(2)} curl's throughput`;
  const curl = leastCpu('curl');
  const hash = leastCpu('hash');
  const versusCurl = (name: Name) => `×${(leastCpu(name) / curl).toFixed(2)} curl's CPU, ${throughput(name)}`;
  console.log(`sender CPU per GiB (least of 2) and throughput (best of 2), same server and file:`);
  console.log(`  curl -T, one PUT: ${figure('curl')}`);
  console.log(`  airlock client, one PUT: ${figure('onePut')}; ${versusCurl('onePut')}`);
  console.log(`  airlock client, 100 MiB parts (the default): ${figure('parts')}; ${versusCurl('parts')}`);
  console.log(
    `  airlock push (CLI process): ${figure('push')}; ×${(leastCpu('push') / (curl + hash)).toFixed(2)} the CPU of ` +
      `curl + sha256 of the file (${curl.toFixed(2)} + ${hash.toFixed(2)} s), ${throughput('push')}`,
  );
}

async function timeSha256sum(file: string): Promise<{ seconds: number; sha256: string }> {
  let sha256 = '';
  const elapsed = await seconds(async () => {
    sha256 = (await run('sha256sum', [file])).stdout.split(/\s+/)[0]!;
  });
  return { seconds: elapsed, sha256 };
}

/**
 * Uploads a file (1 GiB unless BENCH_UPLOAD_MIB says otherwise) to the real service process
 * through signed PUTs on loopback (sent by curl unless BENCH_UPLOAD_CLIENT says otherwise): twice
 * alone, alternating with `sha256sum` of the same file (the best of each counts, so that a burst
 * of load on a shared machine does not decide the ratio), then four at once. Prints MB/s, the
 * ratio to sha256sum, the CPU the server and the client spent per GiB, and the server's resident
 * memory idle and at its peak during one and during four uploads.
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

    const served = await startServer(path.join(dir, 'data'));
    server = served.child;
    const pid = server.pid!;
    // Idle: started, one request served, a moment to settle.
    await fetch(`${served.url}/status/check/basic/`);
    await new Promise((r) => setTimeout(r, 1000));
    const rssIdle = statusField(pid, 'VmRSS');

    const shaRuns: number[] = [];
    const uploadRuns: { seconds: number; peakMiB: number; serverCpu: number; clientCpu: number }[] = [];
    let sha256 = '';
    for (let round = 0; round < 2; round++) {
      const sum = await timeSha256sum(payload);
      sha256 = sum.sha256;
      shaRuns.push(sum.seconds);
      uploadRuns.push(await uploadConcurrently(served, payload, bytes, sha256, 1));
    }
    const four = await uploadConcurrently(served, payload, bytes, sha256, 4);
    const rssHighWater = statusField(pid, 'VmHWM');

    const mbps = (s: number) => bytes / 1e6 / s;
    const uploadSeconds = Math.min(...uploadRuns.map((r) => r.seconds));
    const shaSeconds = Math.min(...shaRuns);
    const figures: UploadFigures = {
      bytes,
      uploadMBps: mbps(uploadSeconds),
      sha256sumMBps: mbps(shaSeconds),
      cpMBps: mbps(cpSeconds),
      throughputRatio: shaSeconds / uploadSeconds,
      ratio: uploadSeconds / (cpSeconds + shaSeconds),
      rssIdleMiB: rssIdle,
      rssPeakMiB: Math.max(...uploadRuns.map((r) => r.peakMiB)),
      rssPeakFourMiB: four.peakMiB,
      fourMBps: (4 * bytes) / 1e6 / four.seconds,
      rssHighWaterMiB: rssHighWater,
    };
    const size = `${(bytes / MIB).toFixed(0)} MiB`;
    const perGiB = (cpu: number) => ((cpu * 1024 * MIB) / bytes).toFixed(2);
    console.log(
      `CPU per GiB uploaded (${CLIENT} client): ` +
        uploadRuns.map((r) => `server ${perGiB(r.serverCpu)} s, client ${perGiB(r.clientCpu)} s`).join('; ') +
        `; sha256sum ${perGiB(shaSeconds)} s wall`,
    );
    console.log(
      `upload of ${size} (PUT by ${CLIENT} on loopback, sha256 + md5 + sha1, fsync): ${figures.uploadMBps.toFixed(0)} MB/s; ` +
        `sha256sum ${figures.sha256sumMBps.toFixed(0)} MB/s; upload ÷ sha256sum throughput ${figures.throughputRatio.toFixed(2)} ` +
        `(best of 2 each); cp ${figures.cpMBps.toFixed(0)} MB/s, upload ÷ (cp + sha256sum) time ${figures.ratio.toFixed(2)}`,
    );
    console.log(
      `server RSS: ${rssIdle.toFixed(0)} MiB idle; peak ${figures.rssPeakMiB.toFixed(0)} MiB during one ${size} upload, ` +
        `${figures.rssPeakFourMiB.toFixed(0)} MiB during 4 concurrent (${figures.fourMBps.toFixed(0)} MB/s together); ` +
        `VmHWM ${rssHighWater.toFixed(0)} MiB`,
    );
    await compareSenders(served, payload, bytes, sha256);
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
