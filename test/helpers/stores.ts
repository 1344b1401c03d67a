import crypto from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import pg from 'pg';
import type { ServerConfig, ServerConfigInput } from '../../src/server/config.js';
import { openDatabase, type DatabaseConfig, type Db } from '../../src/server/store/db.js';

/**
 * The stores the suite runs on: `sqlite-fs` (the default, the embedded service) or, with
 * AIRLOCK_TEST_STORES=postgres-s3 (`npm run test:pg`), the PostgreSQL cluster and S3 server that
 * test/setup/stores.cjs started once for the whole run.
 */
export const TEST_STORES = process.env.AIRLOCK_TEST_STORES === 'postgres-s3' ? 'postgres-s3' : 'sqlite-fs';

/** True in the PostgreSQL + S3 pass. */
export function onSharedStores(): boolean {
  return TEST_STORES === 'postgres-s3';
}

function sharedAddresses(): { pgUrl: string; s3Endpoint: string } {
  const pgUrl = process.env.AIRLOCK_TEST_PG_URL;
  const s3Endpoint = process.env.AIRLOCK_TEST_S3_ENDPOINT;
  if (!pgUrl || !s3Endpoint)
    throw new Error(
      'AIRLOCK_TEST_STORES=postgres-s3 but no AIRLOCK_TEST_PG_URL/AIRLOCK_TEST_S3_ENDPOINT: run through jest, whose globalSetup starts them.',
    );
  return { pgUrl, s3Endpoint };
}

/** A name no other test of this run takes: the worker's pid and random bytes. */
function uniqueName(prefix: string): string {
  return `${prefix}${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: sharedAddresses().pgUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Creates an empty database on the shared cluster and returns its URL. */
export async function createTestDatabase(): Promise<{ name: string; url: string }> {
  const name = uniqueName('t_').replace(/-/g, '_');
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(sharedAddresses().pgUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

/** Drops a database of {@link createTestDatabase}, closing any connection a test left open. */
export async function dropTestDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

function s3Client(): S3Client {
  return new S3Client({
    endpoint: sharedAddresses().s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Creates an empty bucket on the shared S3 server (a fresh name unless given) and returns its name. */
export async function createTestBucket(bucket = uniqueName('airlock-')): Promise<string> {
  const client = s3Client();
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return bucket;
}

/** Empties and deletes a bucket of {@link createTestBucket}. */
export async function dropTestBucket(bucket: string): Promise<void> {
  const client = s3Client();
  try {
    for (;;) {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      const keys = (listed.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length === 0) break;
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

/** The database and blob settings of one test service, and how to drop them. */
export interface TestStores {
  settings: Pick<ServerConfigInput, 'database' | 'blobs'>;
  drop(): Promise<void>;
}

/**
 * Fresh stores for one test service: nothing on SQLite + files (the data directory holds them),
 * a new database and bucket in the PostgreSQL + S3 pass. Settings the test gives itself win.
 */
export async function freshStores(overrides: Partial<ServerConfigInput> = {}): Promise<TestStores> {
  if (!onSharedStores()) return { settings: {}, drop: async () => undefined };
  let settings: Pick<ServerConfigInput, 'database' | 'blobs'> = {};
  const drops: (() => Promise<void>)[] = [];
  if (!overrides.database) {
    const { name, url } = await createTestDatabase();
    settings = { ...settings, database: { kind: 'postgres', url } };
    drops.push(() => dropTestDatabase(name));
  }
  if (!overrides.blobs) {
    const bucket = await createTestBucket();
    const endpoint = sharedAddresses().s3Endpoint;
    settings = {
      ...settings,
      blobs: {
        kind: 's3',
        bucket,
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        presignDownloads: false,
      },
    };
    drops.push(() => dropTestBucket(bucket));
  }
  return {
    settings,
    async drop() {
      for (const d of drops) await d();
    },
  };
}

/**
 * Opens a database for a test that drives the store directly: the SQLite file given, or a fresh
 * database in the PostgreSQL + S3 pass, dropped when the handle is destroyed.
 */
export async function openTestDatabase(sqliteFile: string): Promise<Db> {
  if (!onSharedStores()) return openDatabase({ kind: 'sqlite', file: sqliteFile });
  const { name, url } = await createTestDatabase();
  const config: DatabaseConfig = { kind: 'postgres', url, poolSize: 4 };
  const db = await openDatabase(config);
  const destroy = db.destroy.bind(db);
  // The drop belongs to the handle's end, so a test's own afterAll needs no second call.
  db.destroy = async () => {
    await destroy();
    await dropTestDatabase(name);
  };
  return db;
}

/**
 * The flags that point an `airlock-server` command at a test service's database: none on SQLite
 * (the data directory names it), `--database-url` on PostgreSQL.
 */
export function databaseFlags(config: ServerConfig): string[] {
  return config.database.kind === 'postgres' ? ['--database-url', config.database.url] : [];
}

/** The keys under `prefix` in a bucket of the shared S3 server, relative to the prefix. */
export async function bucketKeys(bucket: string, prefix: string): Promise<string[]> {
  const client = s3Client();
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const listed = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of listed.Contents ?? []) keys.push(o.Key!.slice(prefix.length));
      token = listed.NextContinuationToken;
    } while (token);
    return keys;
  } finally {
    client.destroy();
  }
}
