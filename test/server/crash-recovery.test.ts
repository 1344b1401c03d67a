import { initService } from '../helpers/service-process.js';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FileUpload } from '../../src/api/files.js';
import { openDatabase, type Db } from '../../src/server/store/db.js';
import { tempDir } from '../helpers/server.js';
import { blobFile, createRepo, filesUnder } from './upload-helpers.js';
import { freePort } from '../helpers/ports.js';

const BIN = fileURLToPath(new URL('../../bin/airlock-server.js', import.meta.url));
const MiB = 1024 * 1024;
const BLOCK = crypto.randomBytes(MiB);

/** Upload `k`'s bytes: `mib` blocks, each stamped with k so that every upload differs. */
function* blocks(k: number, mib: number): Generator<Buffer> {
  for (let i = 0; i < mib; i++) {
    const b = Buffer.from(BLOCK);
    b.writeUInt32BE(k, 0);
    b.writeUInt32BE(i, 4);
    yield b;
  }
}

function sha256Of(k: number, mib: number): string {
  const h = crypto.createHash('sha256');
  for (const b of blocks(k, mib)) h.update(b);
  return h.digest('hex');
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

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

describe('crash recovery of the real server process', () => {
  let dataDir: string;
  let apiKey: string;
  let port: number;
  let server: ChildProcess | null = null;
  const base = () => `http://127.0.0.1:${port}`;

  const startServer = async (): Promise<void> => {
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--data-dir', dataDir, '--port', String(port), '--log-level', 'warn'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    server = child;
    await waitFor('the server to answer', async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error('server exited');
      const res = await fetch(`${base()}/status/check/basic/`);
      return res.ok ? true : undefined;
    });
  };

  const withDb = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    const db = await openDatabase({ kind: 'sqlite', file: path.join(dataDir, 'airlock.db') });
    try {
      return await fn(db);
    } finally {
      await db.destroy();
    }
  };

  const requestUpload = async (body: Record<string, string>): Promise<FileUpload> => {
    const res = await fetch(`${base()}/files/acme/dev/`, {
      method: 'POST',
      headers: { 'X-Api-Key': apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
    return (await res.json()) as FileUpload;
  };

  beforeAll(async () => {
    dataDir = tempDir('airlock-crash-');
    apiKey = (await initService(dataDir)).api_key;
    await withDb((db) => createRepo(db, 'acme', 'dev'));
    port = await freePort();
  });

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps only finished uploads, no staging leftovers, and takes the same bytes again after SIGKILL', async () => {
    await startServer();
    const SIZE_MIB = 48;

    const finished = await requestUpload({
      filename: 'done.bin',
      method: 'put',
      sha256_checksum: sha256Of(0, 4),
    });
    expect(await streamPut(finished.upload_url, Readable.from(blocks(0, 4)))).toBe(200);

    // Three large uploads and one part of a put_parts upload, each held open after 8 MiB.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const held = (k: number, mib: number): Readable =>
      Readable.from(
        (async function* () {
          let i = 0;
          for (const b of blocks(k, mib)) {
            if (i++ === 8) await gate;
            yield b;
          }
        })(),
      );
    const inFlight: FileUpload[] = [];
    const transfers: Promise<number | 'connection lost'>[] = [];
    for (const k of [1, 2, 3]) {
      const upload = await requestUpload({
        filename: `big-${k}.bin`,
        method: 'put',
        sha256_checksum: sha256Of(k, SIZE_MIB),
      });
      inFlight.push(upload);
      transfers.push(streamPut(upload.upload_url, held(k, SIZE_MIB)));
    }
    const parts = await requestUpload({ filename: 'parts.bin', method: 'put_parts' });
    expect(await streamPut(`${parts.upload_url}&part_number=1`, Readable.from(blocks(4, 2)))).toBe(200);
    transfers.push(streamPut(`${parts.upload_url}&part_number=2`, held(5, SIZE_MIB)));

    // Killed only once every transfer has bytes on the server's disk.
    await waitFor('bytes of every transfer on disk', async () => {
      const staged = filesUnder(path.join(dataDir, 'tmp')).map(
        (f) => fs.statSync(path.join(dataDir, 'tmp', f)).size,
      );
      const partTmp = filesUnder(path.join(dataDir, 'parts', parts.identifier)).filter((f) =>
        f.includes('.tmp-'),
      );
      return staged.filter((s) => s >= 4 * MiB).length === 3 && partTmp.length === 1 ? true : undefined;
    });
    const killed = new Promise((r) => server!.once('exit', r));
    server!.kill('SIGKILL');
    await killed;
    open();
    expect(await Promise.all(transfers)).toEqual(transfers.map(() => 'connection lost'));

    await startServer();
    expect(filesUnder(path.join(dataDir, 'tmp'))).toEqual([]);
    expect(filesUnder(path.join(dataDir, 'parts'))).toEqual([`${parts.identifier}/1`]);
    const states = await withDb((db) =>
      db.selectFrom('uploads').select(['id', 'state', 'blob_sha256']).execute(),
    );
    const byId = new Map(states.map((s) => [s.id, s]));
    expect(byId.get(finished.identifier)).toMatchObject({ state: 'complete', blob_sha256: sha256Of(0, 4) });
    // Whole-file uploads cut off by the crash are released for a new PUT; a multipart upload keeps
    // taking parts, and keeps the one it had whole.
    for (const upload of inFlight) {
      expect(byId.get(upload.identifier)).toMatchObject({ state: 'pending', blob_sha256: null });
    }
    expect(byId.get(parts.identifier)).toMatchObject({ state: 'receiving', blob_sha256: null });
    for (const k of [1, 2, 3]) expect(fs.existsSync(blobFile(dataDir, sha256Of(k, SIZE_MIB)))).toBe(false);
    const blobRows = await withDb((db) => db.selectFrom('blobs').select('sha256').execute());
    expect(blobRows.map((b) => b.sha256)).toEqual([sha256Of(0, 4)]);

    for (const k of [0, 1]) {
      const mib = k === 0 ? 4 : SIZE_MIB;
      const again = await requestUpload({
        filename: `again-${k}.bin`,
        method: 'put',
        sha256_checksum: sha256Of(k, mib),
      });
      expect(await streamPut(again.upload_url, Readable.from(blocks(k, mib)))).toBe(200);
      const stored = fs.createReadStream(blobFile(dataDir, sha256Of(k, mib)));
      const h = crypto.createHash('sha256');
      for await (const chunk of stored) h.update(chunk as Buffer);
      expect(h.digest('hex')).toBe(sha256Of(k, mib));
    }
  }, 120_000);
  it('takes a PUT cut off by SIGKILL again after a restart, and …/info/ always says what PUT does', async () => {
    if (!server || server.exitCode !== null || server.signalCode !== null) await startServer();
    const MIB = 16;
    const sha256 = sha256Of(7, MIB);
    const upload = await requestUpload({ filename: 'retry.bin', method: 'put', sha256_checksum: sha256 });
    const info = async (): Promise<number> =>
      (
        await fetch(`${base()}/files/acme/dev/${upload.identifier}/info/`, {
          headers: { 'X-Api-Key': apiKey },
        })
      ).status;
    const put = async (bytes: Buffer): Promise<number> =>
      (await fetch(upload.upload_url, { method: 'PUT', body: bytes })).status;
    expect(await info()).toBe(200);

    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const cutOff = streamPut(
      upload.upload_url,
      Readable.from(
        (async function* () {
          let i = 0;
          for (const b of blocks(7, MIB)) {
            if (i++ === 4) await gate;
            yield b;
          }
        })(),
      ),
    );
    await waitFor('the first bytes on disk', async () => {
      const staged = filesUnder(path.join(dataDir, 'tmp')).map(
        (f) => fs.statSync(path.join(dataDir, 'tmp', f)).size,
      );
      return staged.some((size) => size >= 4 * MiB) ? true : undefined;
    });
    // While one request sends the bytes, another sender is told to wait, by both.
    expect(await info()).toBe(409);
    expect(await put(Buffer.from('other bytes'))).toBe(409);

    const killed = new Promise((r) => server!.once('exit', r));
    server!.kill('SIGKILL');
    await killed;
    open();
    expect(await cutOff).toBe('connection lost');

    await startServer();
    expect(fs.existsSync(blobFile(dataDir, sha256))).toBe(false);
    expect(await info()).toBe(200);
    expect(await streamPut(upload.upload_url, Readable.from(blocks(7, MIB)))).toBe(200);
    expect(await info()).toBe(410);
    expect(await put(Buffer.from('again'))).toBe(410);

    const created = await fetch(`${base()}/packages/acme/dev/upload/raw/`, {
      method: 'POST',
      headers: { 'X-Api-Key': apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ package_file: upload.identifier, name: 'retry', version: '1.0' }),
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { checksum_sha256: string }).checksum_sha256).toBe(sha256);
    expect(await info()).toBe(410);
    expect(await put(Buffer.from('once more'))).toBe(410);
  }, 120_000);
});
