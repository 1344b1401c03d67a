import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getFeed } from '../../../src/server/scan/advisories/feeds.js';
import { syncAdvisories, syncEcosystem, type SyncOptions } from '../../../src/server/scan/advisories/sync.js';
import { findVulnerabilities } from '../../../src/server/scan/match.js';
import type { Db } from '../../../src/server/store/db.js';
import { tempDir } from '../../helpers/server.js';
import { openTestDatabase } from '../../helpers/stores.js';
import { osvDoc, osvZip, startOsvBucket, type OsvBucket } from './advisories-bucket.js';

let dir: string;
let db: Db;
let bucket: OsvBucket;
let now: Date;

const options = (extra: Partial<SyncOptions> = {}): SyncOptions => ({
  source: bucket.url,
  ecosystems: ['npm'],
  clock: () => now,
  tmpDir: dir,
  ...extra,
});

async function advisoriesFor(name: string, version: string): Promise<string[]> {
  const [found] = await findVulnerabilities(db, [{ ecosystem: 'npm', name, version }]);
  return found!.vulnerabilities.map((v) => v.id).sort();
}

const FIRST = [osvDoc('TEST-1', 'sequelize', '3.24.0'), osvDoc('TEST-2', 'left-pad', '1.3.0')];

beforeEach(async () => {
  dir = tempDir();
  db = await openTestDatabase(path.join(dir, 'airlock.db'));
  bucket = await startOsvBucket();
  bucket.files.set('/npm/all.zip', await osvZip(FIRST));
  now = new Date('2025-03-01T00:00:00Z');
});

afterEach(async () => {
  await bucket.close();
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('advisories sync from an OSV-style bucket', () => {
  it('imports the archive on the first sync and records the feed', async () => {
    const [result] = await syncAdvisories(db, options());
    expect(result).toMatchObject({ ecosystem: 'npm', outcome: 'updated' });
    expect(await advisoriesFor('sequelize', '3.23.5')).toEqual(['TEST-1']);
    const feed = await getFeed(db, 'npm');
    expect(feed).toMatchObject({
      source: `${bucket.url}/npm/all.zip`,
      updated_at: now.toISOString(),
      checked_at: now.toISOString(),
      last_error: null,
      advisory_count: 2,
    });
    expect(feed?.etag).toMatch(/^"[0-9a-f]{64}"$/);
    // Nothing is left in the temporary folder.
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('airlock-advisories-'))).toEqual([]);
  });

  it('asks conditionally next time; a 304 only moves checked_at', async () => {
    await syncEcosystem(db, 'npm', options());
    const first = await getFeed(db, 'npm');
    now = new Date('2025-03-01T06:00:00Z');
    const result = await syncEcosystem(db, 'npm', options());
    expect(result.outcome).toBe('unchanged');
    expect(bucket.requests.at(-1)?.ifNoneMatch).toBe(first?.etag);
    expect(await getFeed(db, 'npm')).toMatchObject({
      updated_at: first?.updated_at,
      checked_at: now.toISOString(),
      etag: first?.etag,
    });
  });

  it('imports again when the ETag changed, adding only what is new', async () => {
    await syncEcosystem(db, 'npm', options());
    bucket.files.set('/npm/all.zip', await osvZip([...FIRST, osvDoc('TEST-3', 'minimist', '1.2.6')]));
    now = new Date('2025-03-02T00:00:00Z');
    const result = await syncEcosystem(db, 'npm', options());
    expect(result.outcome).toBe('updated');
    expect(result.import).toMatchObject({ added: ['TEST-3'], skipped: 2 });
    expect(await advisoriesFor('minimist', '1.2.5')).toEqual(['TEST-3']);
    expect(await getFeed(db, 'npm')).toMatchObject({ updated_at: now.toISOString(), advisory_count: 3 });
  });

  it('makes a withdrawn advisory stop matching', async () => {
    await syncEcosystem(db, 'npm', options());
    const withdrawn = osvDoc('TEST-1', 'sequelize', '3.24.0', {
      modified: '2025-02-01T00:00:00Z',
      withdrawn: '2025-02-01T00:00:00Z',
    });
    bucket.files.set('/npm/all.zip', await osvZip([withdrawn, FIRST[1]!]));
    expect((await syncEcosystem(db, 'npm', options())).outcome).toBe('updated');
    expect(await advisoriesFor('sequelize', '3.23.5')).toEqual([]);
    expect((await getFeed(db, 'npm'))?.advisory_count).toBe(1);
  });

  describe('keeps the data it had when the download goes wrong', () => {
    beforeEach(async () => {
      await syncEcosystem(db, 'npm', options());
      now = new Date('2025-03-01T12:00:00Z');
    });

    async function expectOldDataKept(error: RegExp): Promise<void> {
      expect(await advisoriesFor('sequelize', '3.23.5')).toEqual(['TEST-1']);
      expect(await getFeed(db, 'npm')).toMatchObject({
        updated_at: '2025-03-01T00:00:00.000Z',
        checked_at: now.toISOString(),
        advisory_count: 2,
        last_error: expect.stringMatching(error),
      });
    }

    it('refuses a truncated zip', async () => {
      const zip = await osvZip([...FIRST, osvDoc('TEST-3', 'minimist', '1.2.6')]);
      bucket.files.set('/npm/all.zip', zip.subarray(0, zip.length - 40));
      const result = await syncEcosystem(db, 'npm', options());
      expect(result).toMatchObject({
        outcome: 'failed',
        error: expect.stringMatching(/npm\/all\.zip: .*zip/),
      });
      await expectOldDataKept(/truncated or corrupt/);
    });

    it('refuses a connection cut before the announced length', async () => {
      bucket.files.set('/npm/all.zip', await osvZip([...FIRST, osvDoc('TEST-3', 'minimist', '1.2.6')]));
      bucket.faults.set('/npm/all.zip', [{ kind: 'cut' }]);
      expect((await syncEcosystem(db, 'npm', options())).outcome).toBe('failed');
      await expectOldDataKept(/npm\/all\.zip/);
      expect(await advisoriesFor('minimist', '1.2.5')).toEqual([]);
    });

    it('refuses a body that is not a zip', async () => {
      bucket.files.set('/npm/all.zip', Buffer.from('<html>Sign in to the proxy</html>'));
      expect((await syncEcosystem(db, 'npm', options())).outcome).toBe('failed');
      await expectOldDataKept(/not a readable zip archive/);
    });

    it('refuses a zip whose entries are not OSV advisories', async () => {
      bucket.files.set('/npm/all.zip', await osvZip([{ id: 'NOT-OSV' }]));
      expect((await syncEcosystem(db, 'npm', options())).outcome).toBe('failed');
      await expectOldDataKept(/entry NOT-OSV\.json is not an OSV advisory/);
    });

    it('records a 500 and succeeds on the next attempt', async () => {
      bucket.files.set('/npm/all.zip', await osvZip([...FIRST, osvDoc('TEST-3', 'minimist', '1.2.6')]));
      bucket.faults.set('/npm/all.zip', [{ kind: 'status', status: 500 }]);
      expect((await syncEcosystem(db, 'npm', options())).outcome).toBe('failed');
      await expectOldDataKept(/HTTP 500/);
      now = new Date('2025-03-01T18:00:00Z');
      expect((await syncEcosystem(db, 'npm', options())).outcome).toBe('updated');
      expect(await getFeed(db, 'npm')).toMatchObject({ last_error: null, updated_at: now.toISOString() });
      expect(await advisoriesFor('minimist', '1.2.5')).toEqual(['TEST-3']);
    });

    it('gives up on a server that stalls, after the timeout', async () => {
      bucket.faults.set('/npm/all.zip', [{ kind: 'stall' }]);
      const result = await syncEcosystem(db, 'npm', options({ timeoutMs: 200 }));
      expect(result.outcome).toBe('failed');
      await expectOldDataKept(/timed out/);
    });
  });

  it('syncs from a file:// mirror and from a plain folder', async () => {
    const mirror = path.join(dir, 'mirror');
    fs.mkdirSync(path.join(mirror, 'npm'), { recursive: true });
    fs.writeFileSync(path.join(mirror, 'npm', 'all.zip'), await osvZip(FIRST));
    const [viaUrl] = await syncAdvisories(db, options({ source: pathToFileURL(mirror).href }));
    expect(viaUrl?.outcome).toBe('updated');
    expect(await advisoriesFor('left-pad', '1.2.0')).toEqual(['TEST-2']);
    const [again] = await syncAdvisories(db, options({ source: mirror }));
    expect(again?.outcome).toBe('unchanged');
  });

  it('fails one ecosystem without stopping the others', async () => {
    const results = await syncAdvisories(db, options({ ecosystems: ['PyPI', 'npm'] }));
    expect(results.map((r) => [r.ecosystem, r.outcome])).toEqual([
      ['PyPI', 'failed'],
      ['npm', 'updated'],
    ]);
    expect(results[0]?.error).toMatch(/PyPI\/all\.zip: the server answered HTTP 404/);
  });
});
