import crypto from 'node:crypto';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildApp } from '../../../src/server/app.js';
import { main } from '../../../src/server/main.js';
import { parseConfig } from '../../../src/server/config.js';
import { openDatabase } from '../../../src/server/store/db.js';
import { tempDir } from '../../helpers/server.js';
import { createRepo } from '../upload-helpers.js';
import { freePort } from '../../helpers/ports.js';

const BIN = fileURLToPath(new URL('../../../bin/airlock-server.js', import.meta.url));

function capture(): {
  out: (t: string) => void;
  err: (t: string) => void;
  env: NodeJS.ProcessEnv;
  text: () => string;
} {
  let text = '';
  return { out: (t) => (text += t), err: (t) => (text += t), env: {}, text: () => text };
}

describe('the server secret in a shared file', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('airlock-secret-');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is the one init wrote, named as secret_file by init --json, and the one serve signs keys with', async () => {
    const dataDir = path.join(dir, 'a');
    const plain = capture();
    expect(await main(['init', '--data-dir', dataDir, '--org', 'acme', '--json'], plain)).toBe(0);
    expect(JSON.parse(plain.text())).toMatchObject({ secret_file: path.join(dataDir, 'secret') });

    const shared = path.join(dir, 'shared', 'secret');
    const replicaDir = path.join(dir, 'b');
    const io = capture();
    expect(
      await main(['init', '--data-dir', replicaDir, '--org', 'acme', '--json', '--secret-file', shared], io),
    ).toBe(0);
    const created = JSON.parse(io.text()) as { api_key: string; secret_file: string };
    expect(created.secret_file).toBe(shared);
    expect(fs.statSync(shared).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(replicaDir, 'secret'))).toBe(false);

    const keyWorks = async (secretFile?: string): Promise<number> => {
      const config = parseConfig({
        dataDir: replicaDir,
        logLevel: 'silent',
        ...(secretFile ? { secretFile } : {}),
      });
      const { app } = await buildApp(config, { background: false });
      try {
        await app.listen({ host: '127.0.0.1', port: 0 });
        const { port } = app.server.address() as net.AddressInfo;
        const res = await fetch(`http://127.0.0.1:${port}/user/self/`, {
          headers: { 'x-api-key': created.api_key, connection: 'close' },
        });
        return res.status;
      } finally {
        await app.close();
      }
    };
    expect(await keyWorks(shared)).toBe(200);
    // Without the shared file the replica makes a secret of its own, and the key means nothing to it.
    expect(await keyWorks()).toBe(401);
  });

  it('names the file, never its content, when the secret is damaged', async () => {
    const file = path.join(dir, 'damaged');
    fs.writeFileSync(file, 'not-a-secret-value\n');
    const io = capture();
    expect(
      await main(['init', '--data-dir', path.join(dir, 'c'), '--org', 'acme', '--secret-file', file], io),
    ).toBe(1);
    expect(io.text()).toContain(`The server secret in ${file} is damaged`);
    expect(io.text()).not.toContain('not-a-secret-value');
  });
});

describe('serve on SIGTERM', () => {
  let dataDir: string;
  let child: ChildProcess | null = null;
  beforeAll(() => {
    dataDir = tempDir('airlock-drain-');
  });
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses new connections at once, lets an upload in flight finish, then exits 0', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      BIN,
      'init',
      '--data-dir',
      dataDir,
      '--org',
      'acme',
      '--json',
    ]);
    const apiKey = (JSON.parse(stdout) as { api_key: string }).api_key;
    const db = await openDatabase({ kind: 'sqlite', file: path.join(dataDir, 'airlock.db') });
    await createRepo(db, 'acme', 'dev');
    await db.destroy();

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--port', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, AIRLOCK_LOG_LEVEL: 'warn', AIRLOCK_ADVISORIES_SYNC_INTERVAL: '0' },
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child!.once('exit', (code, signal) => resolve({ code, signal })),
    );

    const bytes = crypto.randomBytes(2 * 1024 * 1024);
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    let granted: Response | undefined;
    while (!granted) {
      granted = await fetch(`${base}/files/acme/dev/`, {
        method: 'POST',
        headers: { 'X-Api-Key': apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ filename: 'big.bin', sha256_checksum: sha256, method: 'put' }),
      }).catch(() => undefined);
      if (!granted) await new Promise((r) => setTimeout(r, 50));
    }
    expect(granted.status).toBe(202);
    const { upload_url: uploadUrl } = (await granted.json()) as { upload_url: string };

    // Half the body goes out, then the signal comes.
    let sending: http.ClientRequest | undefined;
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(uploadUrl, {
        method: 'PUT',
        headers: { 'content-length': String(bytes.length), 'content-type': 'application/octet-stream' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(bytes.subarray(0, bytes.length / 2));
      sending = req;
    });
    // The first half has reached the service once its socket has it; give it a turn to arrive.
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');

    // New connections are refused once the service has heard the signal.
    let refused = false;
    while (!refused) {
      refused = await fetch(`${base}/status/check/basic/`, { headers: { connection: 'close' } }).then(
        () => false,
        () => true,
      );
      if (!refused) await new Promise((r) => setTimeout(r, 20));
    }
    sending!.end(bytes.subarray(bytes.length / 2));
    const done = await answer;
    expect(done.status).toBe(200);
    expect(JSON.parse(done.body)).toMatchObject({ sha256_checksum: sha256 });
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stderr).not.toMatch(/Shutdown took over/);
  }, 60_000);
});
