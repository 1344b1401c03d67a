import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildApp, type BuiltApp } from '../../../src/server/app.js';
import { main } from '../../../src/server/main.js';
import { parseConfig } from '../../../src/server/config.js';
import { postgresAvailable, startPostgres } from '../../helpers/postgres.js';
import { startTestServer, tempDir, type TestServer } from '../../helpers/server.js';
import { api, createRepo, uploadPackage } from '../../helpers/upload.js';

const BIN = fileURLToPath(new URL('../../../bin/airlock-server.js', import.meta.url));

interface Listed {
  slug_perm: string;
  filename: string;
  checksum_sha256: string;
  cdn_url: string;
}

const sha256 = (bytes: Uint8Array): string => crypto.createHash('sha256').update(bytes).digest('hex');

function capture(): {
  out: (t: string) => void;
  err: (t: string) => void;
  env: NodeJS.ProcessEnv;
  text: () => string;
} {
  let text = '';
  return { out: (t) => (text += t), err: (t) => (text += t), env: {}, text: () => text };
}

describe('airlock-server backup', () => {
  let server: TestServer;
  let backupDir: string;
  let restored: BuiltApp | undefined;

  beforeAll(async () => {
    server = await startTestServer({}, { background: false });
    await createRepo(server, 'dev');
    backupDir = path.join(tempDir('airlock-backup-'), 'copy');
  });
  afterAll(async () => {
    if (restored) {
      // Nothing is in flight by now; a keep-alive connection the client pool still holds would
      // otherwise keep close() waiting for the server's keep-alive timeout.
      const closing = restored.app.close();
      restored.app.server.closeAllConnections();
      await closing;
    }
    await server.close();
    fs.rmSync(path.dirname(backupDir), { recursive: true, force: true });
  });

  it('copies a serving SQLite deployment while uploads run; a server on the copy lists and downloads every package it holds', async () => {
    let stop = false;
    let created = 0;
    const uploader = async (worker: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const bytes = crypto.randomBytes(50_000 + ((worker * 7919 + i * 104_729) % 400_000));
        const res = await uploadPackage(server, 'dev', 'raw', bytes, `w${worker}-${i}.bin`, {
          name: `w${worker}`,
          version: `1.0.${i}`,
        });
        if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
        created++;
      }
    };
    const uploads = [0, 1, 2, 3].map(uploader);
    // Let some packages land first, so the copy has something to hold.
    while (created < 8) await new Promise((resolve) => setTimeout(resolve, 20));
    const { stdout } = await promisify(execFile)(process.execPath, [
      BIN,
      'backup',
      '--data-dir',
      server.dataDir,
      '--to',
      backupDir,
      '--json',
    ]);
    const atBackup = created;
    // Uploads went on while the backup ran and go on a little after.
    while (created < atBackup + 4) await new Promise((resolve) => setTimeout(resolve, 20));
    stop = true;
    await Promise.all(uploads);
    const report = JSON.parse(stdout) as { blobs: number; to: string };
    expect(report.to).toBe(backupDir);
    expect(fs.statSync(path.join(backupDir, 'secret')).mode & 0o777).toBe(0o600);

    const config = parseConfig({ dataDir: backupDir, logLevel: 'silent', port: 0 });
    restored = await buildApp(config, { background: false });
    await restored.app.listen({ host: '127.0.0.1', port: 0 });
    const copy = { ...server, url: restored.ctx.baseUrl };
    // The admin key of the original works: the secret came along.
    const listed = await api<Listed[]>(copy, 'GET', '/packages/acme/dev/?page_size=500');
    expect(listed.status).toBe(200);
    const rows = await restored.ctx.db
      .selectFrom('packages')
      .select('id')
      .where('deleted_at', 'is', null)
      .execute();
    expect(listed.body.length).toBe(rows.length);
    expect(listed.body.length).toBeGreaterThanOrEqual(8);
    expect(listed.body.length).toBeLessThan(created);
    expect(report.blobs).toBeGreaterThanOrEqual(listed.body.length);
    for (const pkg of listed.body) {
      const res = await fetch(pkg.cdn_url.replace(server.url, copy.url), {
        headers: { 'X-Api-Key': server.adminKey },
      });
      expect(res.status).toBe(200);
      expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(pkg.checksum_sha256);
    }
  }, 120_000);

  it('refuses a target that is not empty, and a missing --to', async () => {
    const io = capture();
    expect(await main(['backup', '--data-dir', server.dataDir, '--to', backupDir], io)).toBe(1);
    expect(io.text()).toMatch(/is not empty: back up into a new directory/);
    const usage = capture();
    expect(await main(['backup', '--data-dir', server.dataDir], usage)).toBe(2);
    expect(usage.text()).toMatch(/^airlock-server: backup needs --to BACKUP_DIR\./);
  });

  it('says how to restore in --help', async () => {
    const io = capture();
    expect(await main(['backup', '--help'], io)).toBe(0);
    expect(io.text()).toMatch(/To restore: stop the service/);
    expect(io.text()).toMatch(/pg_dump/);
  });

  (postgresAvailable() ? it : it.skip)(
    'refuses a PostgreSQL deployment and points at pg_dump',
    async () => {
      const pg = await startPostgres();
      try {
        const io = capture();
        const dir = tempDir('airlock-backup-pg-');
        const code = await main(
          ['backup', '--data-dir', dir, '--database-url', pg.url, '--to', path.join(dir, 'copy')],
          io,
        );
        expect(code).toBe(1);
        expect(io.text()).toMatch(/PostgreSQL; back it up with pg_dump/);
        expect(fs.existsSync(path.join(dir, 'copy'))).toBe(false);
        fs.rmSync(dir, { recursive: true, force: true });
      } finally {
        pg.stop();
      }
    },
    60_000,
  );
});
