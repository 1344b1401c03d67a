import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { BlobStore } from './blobs.js';
import { openDatabase, type Db } from './db.js';
import { FsBlobStore } from './fs-blob-store.js';

/** What a backup copied. */
export interface BackupResult {
  /** The copied database file. */
  database: string;
  /** Blobs the copy's database lists, and their bytes, now in the backup. */
  blobs: number;
  bytes: number;
  /** The copied server secret. */
  secret: string;
}

/** Every blob a database lists. */
async function listedBlobs(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('blobs').select('sha256').orderBy('sha256').execute();
  return rows.map((row) => row.sha256);
}

/** Fails unless `dir` is missing or empty: a backup never mixes with older files. */
function prepareTarget(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (fs.readdirSync(dir).length > 0) throw new Error(`${dir} is not empty: back up into a new directory.`);
}

/**
 * Makes a consistent copy of an SQLite deployment while it serves: the database through
 * SQLite's online backup (one point in time, writers not blocked), then every blob that copy
 * lists — read through the blob store and checked against its sha256 on the way — and the server
 * secret. The result is a data directory a server can start on.
 */
export async function backupSqliteDeployment(options: {
  databaseFile: string;
  blobs: BlobStore;
  secretFile: string;
  to: string;
}): Promise<BackupResult> {
  const { databaseFile, blobs, secretFile, to } = options;
  if (!fs.existsSync(databaseFile)) throw new Error(`No database at ${databaseFile}: nothing to back up.`);
  prepareTarget(to);
  const database = path.join(to, 'airlock.db');
  const source = new SqliteDatabase(databaseFile, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(database);
  } finally {
    source.close();
  }
  const secret = path.join(to, 'secret');
  fs.copyFileSync(secretFile, secret);
  fs.chmodSync(secret, 0o600);

  const copy = await openDatabase({ kind: 'sqlite', file: database });
  const target = new FsBlobStore(to);
  let count = 0;
  let bytes = 0;
  try {
    for (const sha256 of await listedBlobs(copy)) {
      // Blobs never change once committed (they are named by their content), so a copy made
      // after the database snapshot holds the same bytes the snapshot refers to.
      const staged = await target.stage(await blobs.read(sha256), Number.MAX_SAFE_INTEGER);
      if (staged.sha256 !== sha256) {
        await staged.discard();
        throw new Error(`Blob ${sha256} is damaged in the source: its bytes hash to ${staged.sha256}.`);
      }
      await staged.commit();
      count += 1;
      bytes += staged.size;
    }
  } finally {
    await copy.destroy();
    await target.clearStaging();
  }
  return { database, blobs: count, bytes, secret };
}
