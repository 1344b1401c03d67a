import path from 'node:path';
import type { ServerConfig } from '../config.js';
import type { BlobStore } from './blobs.js';
import { prepareDataDir } from './data-dir.js';
import { openDatabase, type DatabaseConfig, type Db } from './db.js';
import { openBlobStore, type OpenBlobStoreOptions } from './open-blob-store.js';

/** The stores a configuration names, opened: the database (migrated), the blob store and the secret. */
export interface Stores {
  db: Db;
  /** Checked, with what interrupted requests left in its staging area cleared. */
  blobs: BlobStore;
  /** The server secret (hex) and the file it was read from. */
  secret: string;
  secretFile: string;
  /** Closes the database. */
  close(): Promise<void>;
}

/** The SQLite file of a data directory. */
export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'airlock.db');
}

/** Where a configuration keeps its metadata. */
export function databaseConfigOf(config: ServerConfig): DatabaseConfig {
  return config.database.kind === 'sqlite'
    ? { kind: 'sqlite', file: sqliteFile(config.dataDir) }
    : {
        kind: 'postgres',
        url: config.database.url,
        ...(config.database.poolSize ? { poolSize: config.database.poolSize } : {}),
      };
}

/**
 * Opens what a configuration names, the same way for every command (serve, init, advisories,
 * backup): prepares the data directory and the secret, opens and migrates the database, and
 * opens the blob store.
 */
export async function openStores(
  config: ServerConfig,
  blobOptions: OpenBlobStoreOptions = {},
): Promise<Stores> {
  const { secret, secretFile } = prepareDataDir(config.dataDir, config.secretFile);
  // The blob store first: a wrong bucket or endpoint stops the start before any migration runs.
  const blobs = await openBlobStore(config, blobOptions);
  const db = await openDatabase(databaseConfigOf(config));
  return { db, blobs, secret, secretFile, close: () => db.destroy() };
}

/**
 * Opens (and migrates) only the database a configuration names, after preparing its data
 * directory: for commands that read and write metadata but no blob (advisory import and sync).
 */
export async function openConfiguredDatabase(config: ServerConfig): Promise<Db> {
  prepareDataDir(config.dataDir, config.secretFile);
  return openDatabase(databaseConfigOf(config));
}
