import path from 'node:path';
import type { ServerConfig } from '../config.js';
import type { BlobStore } from './blobs.js';
import { prepareDataDir } from './data-dir.js';
import { openDatabase, type DatabaseConfig, type Db } from './db.js';
import { FsBlobStore } from './fs-blob-store.js';

/** The stores a configuration names, opened: the database (migrated), the blob store and the secret. */
export interface Stores {
  db: Db;
  /** `clearStaging` drops what a previous process left half-received (where the store stages locally). */
  blobs: BlobStore & { clearStaging?(): Promise<void> };
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

/** The blob store a configuration names. */
export function blobStoreOf(config: ServerConfig): BlobStore & { clearStaging?(): Promise<void> } {
  if (config.blobs.kind === 's3')
    throw new Error(`blobs: S3 storage (s3://${config.blobs.bucket}) is not available in this build.`);
  return new FsBlobStore(config.dataDir);
}

/**
 * Opens what a configuration names, the same way for every command (serve, init, advisories,
 * backup): prepares the data directory and the secret, opens and migrates the database, and
 * opens the blob store.
 */
export async function openStores(config: ServerConfig): Promise<Stores> {
  const { secret, secretFile } = prepareDataDir(config.dataDir, config.secretFile);
  const blobs = blobStoreOf(config);
  const db = await openDatabase(databaseConfigOf(config));
  return { db, blobs, secret, secretFile, close: () => db.destroy() };
}
