import crypto from 'node:crypto';
import type { Kysely } from 'kysely';

interface DocumentRow {
  upstream_id: string;
  doc_key: string;
  digest: string;
  fetched_at: string;
  etag: string | null;
  last_modified: string | null;
  body: string;
}

// Typed here, not through the service's schema: a migration sees the tables as they are when it runs.
type Tables = Kysely<{
  upstream_documents: Omit<DocumentRow, 'digest'>;
  upstream_documents_next: DocumentRow;
}>;

// As the service computes it (documentDigest in src/server/store/upstreams.ts), written out here
// so that this migration stays as it ran.
function documentDigest(body: string): string {
  return crypto.createHash('sha256').update(body).digest('base64url');
}

/**
 * Each cached upstream document carries the digest of its body, so that a read of a fresh copy
 * learns which document it is (what the packument's or page's entity tag and the parsed-document
 * cache are keyed by) without reading and hashing the body, which runs to megabytes for a
 * popular npm package. The table is rebuilt with the body as its last column: SQLite stores a
 * large body on overflow pages and walks all of them to reach any column stored after it, so the
 * digest and validators come before it. Documents cached before this migration get their digest
 * here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('upstream_documents_next')
    .addColumn('upstream_id', 'text', (c) => c.notNull())
    .addColumn('doc_key', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('fetched_at', 'text', (c) => c.notNull())
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('upstream_documents_key', ['upstream_id', 'doc_key'])
    .execute();
  const docs = db as unknown as Tables;
  const keys = await docs.selectFrom('upstream_documents').select(['upstream_id', 'doc_key']).execute();
  // One body at a time: documents can be large, and a cache can hold many.
  for (const { upstream_id, doc_key } of keys) {
    const row = await docs
      .selectFrom('upstream_documents')
      .selectAll()
      .where('upstream_id', '=', upstream_id)
      .where('doc_key', '=', doc_key)
      .executeTakeFirstOrThrow();
    await docs
      .insertInto('upstream_documents_next')
      .values({ ...row, digest: documentDigest(row.body) })
      .execute();
  }
  await db.schema.dropTable('upstream_documents').execute();
  await db.schema.alterTable('upstream_documents_next').renameTo('upstream_documents').execute();
}
