import fs from 'node:fs';
import path from 'node:path';
import { migrateToLatest, type Db } from '../../../src/server/store/db.js';
import { analyseInWorker } from '../../../src/server/scan/worker/run-in-worker.js';
import { tempDir } from '../../helpers/server.js';
import { openTestDatabase } from '../../helpers/stores.js';

function lockfile(count: number): string {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0' } };
  for (let i = 0; i < count; i++) packages[`node_modules/dep-${i}`] = { version: '1.0.0' };
  return JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, packages });
}

describe('the scan worker', () => {
  let dir: string;
  let db: Db;
  beforeAll(async () => {
    dir = tempDir('airlock-worker-');
    db = await openTestDatabase(path.join(dir, 'airlock.db'));
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails the scan, naming its memory allowance, when an artifact needs more, and the service goes on', async () => {
    const file = path.join(dir, 'package-lock.json');
    fs.writeFileSync(file, lockfile(400_000));
    const result = await analyseInWorker(
      db,
      { path: file, filename: 'package-lock.json', format: 'raw' },
      { heapMb: 16, timeoutSeconds: 120 },
    );
    expect(result).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/memory allowance \(16 MiB\)/),
    });
    // The thread that started it is unharmed: a small scan right after works.
    fs.writeFileSync(file, lockfile(3));
    const next = await analyseInWorker(
      db,
      { path: file, filename: 'package-lock.json', format: 'raw' },
      { heapMb: 256, timeoutSeconds: 120 },
    );
    expect(next).toMatchObject({ status: 'ok', numComponents: 3 });
  });

  it('stops reading at the limit on manifest bytes and reports it', async () => {
    const file = path.join(dir, 'package-lock.json');
    fs.writeFileSync(file, lockfile(10));
    const result = await analyseInWorker(
      db,
      { path: file, filename: 'package-lock.json', format: 'raw' },
      { heapMb: 256, timeoutSeconds: 120, limits: { maxManifestBytes: 100 } },
    );
    expect(result).toMatchObject({
      status: 'ok',
      numComponents: 0,
      coverage: { limitReached: 'bytes of manifests parsed (100 bytes)' },
    });
  });
});
