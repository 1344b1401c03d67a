import fs from 'node:fs';
import path from 'node:path';
import { runAdvisoriesCommand } from '../../../src/server/commands/advisories-import.js';
import { acquireSyncLease, releaseSyncLease } from '../../../src/server/scan/advisories/lease.js';
import { listFeeds } from '../../../src/server/store/advisories.js';
import { openDatabase } from '../../../src/server/store/db.js';
import { startTestServer, tempDir } from '../../helpers/server.js';
import { openTestDatabase } from '../../helpers/stores.js';
import { osvDoc, osvZip, startOsvBucket } from './advisories-bucket.js';

function io(): { out: string[]; err: string[]; io: Parameters<typeof runAdvisoriesCommand>[1] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t) => out.push(t), err: (t) => err.push(t), env: {} } };
}

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function writeRoot(root: string): Promise<void> {
  fs.mkdirSync(path.join(root, 'npm'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'npm', 'all.zip'),
    await osvZip([osvDoc('TEST-1', 'sequelize', '3.24.0')]),
  );
  fs.mkdirSync(path.join(root, 'PyPI'), { recursive: true });
  const pypi = osvDoc('TEST-PY-1', 'django', '4.2.1');
  (pypi.affected as { package: { ecosystem: string } }[])[0]!.package.ecosystem = 'PyPI';
  fs.writeFileSync(path.join(root, 'PyPI', 'all.zip'), await osvZip([pypi]));
}

describe('advisories import', () => {
  it('imports every <ecosystem>/all.zip under a root folder, then skips them when unchanged', async () => {
    const root = path.join(dir, 'osv');
    await writeRoot(root);
    const data = path.join(dir, 'data');
    const first = io();
    expect(await runAdvisoriesCommand(['import', '--data-dir', data, root], first.io)).toBe(0);
    expect(first.out.join('')).toMatch(/npm\/all\.zip: 1 documents: 1 added/);
    expect(first.out.join('')).toMatch(/PyPI\/all\.zip: 1 documents: 1 added/);
    const again = io();
    expect(await runAdvisoriesCommand(['import', '--data-dir', data, root], again.io)).toBe(0);
    expect(again.out.join('')).toMatch(/npm\/all\.zip: unchanged since the last import of npm/);

    const db = await openDatabase({ kind: 'sqlite', file: path.join(data, 'airlock.db') });
    try {
      const feeds = (await listFeeds({ db })).sort((a, b) => (a.ecosystem < b.ecosystem ? -1 : 1));
      expect(feeds.map((f) => [f.ecosystem, f.advisory_count, f.source])).toEqual([
        ['PyPI', 1, path.join(root, 'PyPI', 'all.zip')],
        ['npm', 1, path.join(root, 'npm', 'all.zip')],
      ]);
      expect(feeds.every((f) => f.updated_at !== null && f.archive_sha256 !== null)).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('fails, naming the path, when a path holds no OSV document', async () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    const run = io();
    expect(await runAdvisoriesCommand(['import', '--data-dir', path.join(dir, 'data'), empty], run.io)).toBe(
      1,
    );
    expect(run.err.join('')).toContain(`${empty}: no OSV documents found`);
  });
});

describe('advisories sync (command line)', () => {
  it('syncs from a mirror, prints plain lines off a terminal, and exits 1 naming a failed ecosystem', async () => {
    const bucket = await startOsvBucket();
    try {
      bucket.files.set('/npm/all.zip', await osvZip([osvDoc('TEST-1', 'sequelize', '3.24.0')]));
      const data = path.join(dir, 'data');
      const ok = io();
      const args = ['sync', '--data-dir', data, '--source', bucket.url, '--ecosystems', 'npm'];
      expect(await runAdvisoriesCommand(args, ok.io)).toBe(0);
      expect(ok.out.join('')).toMatch(/^npm: updated from .*: 1 documents, 1 added/);
      expect(ok.err.join('')).not.toContain('\r');
      const unchanged = io();
      expect(await runAdvisoriesCommand(args, unchanged.io)).toBe(0);
      expect(unchanged.out.join('')).toMatch(/^npm: unchanged/);

      bucket.files.set('/npm/all.zip', Buffer.from('not a zip at all'));
      const bad = io();
      expect(await runAdvisoriesCommand(args, bad.io)).toBe(1);
      expect(bad.err.join('')).toMatch(/npm: sync failed: .*npm\/all\.zip: not a readable zip archive/);
    } finally {
      await bucket.close();
    }
  });

  it('refuses a source that is neither http(s), file:// nor a folder', async () => {
    const run = io();
    const code = await runAdvisoriesCommand(
      ['sync', '--data-dir', dir, '--source', 'ftp://mirror/osv'],
      run.io,
    );
    expect(code).toBe(2);
    expect(run.err.join('')).toMatch(/advisory source 'ftp:\/\/mirror\/osv' must be an http\(s\):\/\/ URL/);
  });
});

describe('the advisory sync lease', () => {
  it('lets one process sync at a time, and another take over once released or expired', async () => {
    const db = await openTestDatabase(path.join(dir, 'airlock.db'));
    try {
      const t0 = new Date('2025-01-01T00:00:00Z');
      expect(await acquireSyncLease(db, 'a', t0, 60_000)).toBe(true);
      expect(await acquireSyncLease(db, 'b', t0, 60_000)).toBe(false);
      expect(await acquireSyncLease(db, 'a', t0, 60_000)).toBe(true);
      await releaseSyncLease(db, 'a', t0);
      expect(await acquireSyncLease(db, 'b', t0, 60_000)).toBe(true);
      expect(await acquireSyncLease(db, 'a', new Date(t0.getTime() + 30_000), 60_000)).toBe(false);
      expect(await acquireSyncLease(db, 'a', new Date(t0.getTime() + 60_000), 60_000)).toBe(true);
    } finally {
      await db.destroy();
    }
  });
});

describe('scheduled sync in the service and GET /status/advisories/', () => {
  it('syncs at start, shows freshness without credentials or validators, and stops promptly', async () => {
    const bucket = await startOsvBucket();
    bucket.files.set('/npm/all.zip', await osvZip([osvDoc('TEST-1', 'sequelize', '3.24.0')]));
    const source = bucket.url.replace('http://', 'http://mirror-user:s3cret@');
    const server = await startTestServer({ advisories: { syncIntervalSeconds: 3600, source } });
    try {
      let body: { ecosystems: Record<string, unknown>[] } = { ecosystems: [] };
      // The first sync runs in the background right after start; wait for its outcome.
      for (let i = 0; i < 200 && !body.ecosystems.some((e) => e.ecosystem === 'crates.io'); i++) {
        const res = await fetch(`${server.url}/status/advisories/`);
        expect(res.status).toBe(200);
        body = (await res.json()) as typeof body;
        if (!body.ecosystems.some((e) => e.ecosystem === 'crates.io'))
          await new Promise((r) => setTimeout(r, 50));
      }
      const npm = body.ecosystems.find((e) => e.ecosystem === 'npm');
      expect(npm).toEqual({
        ecosystem: 'npm',
        advisories: 1,
        source: `${bucket.url}/npm/all.zip`,
        updated_at: expect.any(String),
        checked_at: expect.any(String),
        age_seconds: expect.any(Number),
        last_error: null,
      });
      const pypi = body.ecosystems.find((e) => e.ecosystem === 'PyPI');
      expect(pypi).toMatchObject({ advisories: 0, updated_at: null, age_seconds: null });
      expect(pypi?.last_error).toMatch(/HTTP 404/);
      expect(JSON.stringify(body)).not.toContain('s3cret');
      expect(JSON.stringify(body)).not.toContain('etag');
    } finally {
      await server.close();
      await bucket.close();
    }
  });

  it('aborts a sync in progress when the service shuts down', async () => {
    const bucket = await startOsvBucket();
    bucket.faults.set('/npm/all.zip', [{ kind: 'stall' }]);
    const server = await startTestServer({ advisories: { syncIntervalSeconds: 3600, source: bucket.url } });
    try {
      for (let i = 0; i < 200 && bucket.requests.length === 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(bucket.requests.map((r) => r.path)).toEqual(['/npm/all.zip']);
    } finally {
      // The request timeout is a minute: closing returns long before it only because the sync is aborted.
      await server.close();
      await bucket.close();
    }
  });
});
