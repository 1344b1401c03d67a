import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import type { Clock } from '../src/server/domain/ids.js';
import { importIntoFeeds } from '../src/server/scan/advisories/import-feed.js';
import type { Db } from '../src/server/store/db.js';

/** The repository root: this file runs as lib/bench/advisories-fixtures.js. */
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/**
 * Imports the small set of real OSV advisories the repository ships for its tests (one archive
 * per ecosystem; test/fixtures/advisories/README.md) as the feeds a sync would record, so that a
 * benchmark's fresh service evaluates components (with data of a known age) rather than failing
 * closed for want of data. Returns how many advisories it imported.
 */
export async function importFixtureAdvisories(db: Db, clock: Clock): Promise<number> {
  const dir = path.join(ROOT, 'test', 'fixtures', 'advisories');
  let count = 0;
  for (const ecosystem of ['npm', 'PyPI', 'Go', 'crates.io']) {
    const archive = path.join(dir, ecosystem, 'all.zip');
    if (!fs.existsSync(archive)) continue;
    const imported = await importIntoFeeds(db, archive, { clock, ecosystem });
    if (imported.kind === 'imported') count += imported.result.added.length;
  }
  return count;
}

/** An npm tarball of `name@version` with a lock file naming `deps` (name → version). */
export async function npmTarball(
  name: string,
  version: string,
  deps: Record<string, string> = {},
): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry(
    { name: 'package/package.json' },
    JSON.stringify({ name, version, license: 'MIT', dependencies: deps }),
  );
  const packages: Record<string, unknown> = { '': { name, version, dependencies: deps } };
  for (const [dep, v] of Object.entries(deps)) packages[`node_modules/${dep}`] = { version: v };
  pack.entry(
    { name: 'package/package-lock.json' },
    JSON.stringify({ name, version, lockfileVersion: 3, packages }),
  );
  pack.entry({ name: 'package/index.js' }, 'module.exports = 1;\n');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return zlib.gzipSync(Buffer.concat(chunks));
}

/** Uploads a file and creates a package of it (`format`) in `owner/repo`; returns its identifier. */
export async function publishFile(
  base: string,
  key: string,
  target: { owner: string; repo: string; format: string },
  bytes: Buffer,
  filename: string,
): Promise<string> {
  const call = async (method: string, p: string, body: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(base + p, {
      method,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const slot = await call('POST', `/files/${target.owner}/${target.repo}/`, {
    filename,
    sha256_checksum: sha256,
    method: 'put',
  });
  const put = await fetch(String(slot.upload_url), { method: 'PUT', body: bytes });
  if (!put.ok) throw new Error(`PUT ${filename}: ${put.status}`);
  const pkg = await call('POST', `/packages/${target.owner}/${target.repo}/upload/${target.format}/`, {
    package_file: slot.identifier,
  });
  return String(pkg.slug_perm);
}
