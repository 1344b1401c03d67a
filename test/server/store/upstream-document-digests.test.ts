import crypto from 'node:crypto';
import path from 'node:path';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrationProvider } from '../../../src/server/store/migrations/index.js';
import { findUpstreamDocumentHead, readUpstreamDocumentBody } from '../../../src/server/store/upstreams.js';
import type { Database as Schema } from '../../../src/server/store/schema.js';
import { tempDir } from '../../helpers/server.js';
import { postgresAvailable, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

const BEFORE = '0020-web-sessions';
const BIG = JSON.stringify({ name: 'big', versions: { '1.0.0': { readme: 'r'.repeat(300_000) } } });
const SMALL = '{"name":"small","versions":{}}';

/** Migrates a fresh database to just before 0022, caches two documents, then migrates to the latest. */
async function migrateWithDocuments(db: Kysely<Schema>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined();
  for (const [key, body] of [
    ['npm:big', BIG],
    ['npm:small', SMALL],
  ]) {
    await sql`insert into upstream_documents (upstream_id, doc_key, body, etag, last_modified, fetched_at)
      values ('up1', ${key}, ${body}, '"e1"', null, '2026-12-01T00:00:00.000Z')`.execute(db);
  }
  expect((await migrator.migrateToLatest()).error).toBeUndefined();
}

async function expectDigests(db: Kysely<Schema>): Promise<void> {
  for (const [key, body] of [
    ['npm:big', BIG],
    ['npm:small', SMALL],
  ] as const) {
    const digest = crypto.createHash('sha256').update(body).digest('base64url');
    expect(await findUpstreamDocumentHead(db, 'up1', key)).toEqual({
      digest,
      etag: '"e1"',
      lastModified: null,
      fetchedAt: '2026-12-01T00:00:00.000Z',
    });
    expect(await readUpstreamDocumentBody(db, 'up1', key)).toEqual({ body, digest });
  }
  expect(await findUpstreamDocumentHead(db, 'up1', 'npm:other')).toBeUndefined();
}

describe('migration 0022: digests of cached upstream documents', () => {
  it('gives every document cached before it its digest, keeping body and validators (SQLite)', async () => {
    const dir = tempDir();
    const db = new Kysely<Schema>({
      dialect: new SqliteDialect({ database: new Database(path.join(dir, 'airlock.db')) }),
    });
    try {
      await migrateWithDocuments(db);
      await expectDigests(db);
      // The body is stored last, so that reading the digest and validators skips its pages.
      const columns = await sql<{
        name: string;
      }>`select name from pragma_table_info('upstream_documents')`.execute(db);
      expect(columns.rows.map((c) => c.name).at(-1)).toBe('body');
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  (postgresAvailable() ? it : it.skip)(
    'does the same on PostgreSQL',
    async () => {
      const server: TestPostgres = await startPostgres();
      const db = new Kysely<Schema>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: server.url, max: 2 }) }),
      });
      try {
        await migrateWithDocuments(db);
        await expectDigests(db);
      } finally {
        await db.destroy();
        await server.stop();
      }
    },
    120_000,
  );
});
