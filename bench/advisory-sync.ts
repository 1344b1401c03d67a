import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { syncAdvisories } from '../src/server/scan/advisories/sync.js';
import { openDatabase } from '../src/server/store/db.js';

const ECOSYSTEMS = ['npm', 'PyPI', 'Go', 'crates.io'];

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Serves `{root}/{ecosystem}/all.zip` on loopback, with an ETag when `etags` is on (a 304 for a match). */
async function serve(root: string, etags: { on: boolean }): Promise<{ url: string; close(): Promise<void> }> {
  const digests = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const file = path.join(root, decodeURIComponent(req.url ?? '/').replace(/^\/+/, ''));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    let etag = digests.get(file);
    if (!etag) {
      etag = `"${crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')}"`;
      digests.set(file, etag);
    }
    if (etags.on && req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ETag: etag }).end();
      return;
    }
    res.writeHead(200, {
      'Content-Length': fs.statSync(file).size,
      ...(etags.on ? { ETag: etag } : {}),
    });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Syncs the four OSV archives of `../shared/advisories` (or AIRLOCK_ADVISORY_DATA) from a
 * loopback HTTP server into a fresh SQLite database: the first sync, an unchanged one answered
 * with 304s, and an unchanged one from a server without validators (recognised by the archives'
 * sha256). Prints the times; never passes or fails on them. Skipped when the archives are absent.
 */
export async function benchAdvisorySync(log: (line: string) => void = console.log): Promise<void> {
  const root = path.resolve(
    process.env.AIRLOCK_ADVISORY_DATA ?? path.resolve(process.cwd(), '../shared/advisories'),
  );
  if (!ECOSYSTEMS.every((e) => fs.existsSync(path.join(root, e, 'all.zip')))) {
    log(`advisory-sync: skipped, the full OSV archives are not in ${root} (set AIRLOCK_ADVISORY_DATA)`);
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-sync-'));
  const etags = { on: true };
  const server = await serve(root, etags);
  const db = await openDatabase({ kind: 'sqlite', file: path.join(work, 'airlock.db') });
  try {
    const sync = async (label: string): Promise<void> => {
      const started = performance.now();
      const results = await syncAdvisories(db, {
        source: server.url,
        ecosystems: ECOSYSTEMS,
        clock: () => new Date(),
        tmpDir: work,
      });
      const ms = performance.now() - started;
      const failed = results.filter((r) => r.outcome === 'failed');
      if (failed.length > 0) throw new Error(failed.map((r) => r.error).join('; '));
      const outcomes = results.map((r) => `${r.ecosystem} ${r.outcome}`).join(', ');
      log(`  ${label.padEnd(42)} ${secs(ms).padStart(8)}  (${outcomes})`);
    };
    log(`advisory-sync: the four OSV archives from a loopback HTTP server (${root})`);
    await sync('first sync, fresh database');
    await sync('unchanged, server answers 304');
    etags.on = false;
    await sync('unchanged, no validators (same sha256)');
  } finally {
    await db.destroy();
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchAdvisorySync();
}
