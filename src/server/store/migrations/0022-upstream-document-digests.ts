import crypto from 'node:crypto';
import type { Kysely } from 'kysely';

/**
 * Each cached upstream document carries the digest of its body, so that a read of a fresh copy
 * learns which document it is (what the packument's or page's entity tag and the parsed-document
 * cache are keyed by) without reading and hashing the body, which runs to megabytes for a
 * popular npm package. An index holds what such a read needs, so SQLite answers it from the
 * index alone instead of walking the body's overflow pages to the columns stored after it.
 * Documents cached before this migration get their digest here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('upstream_documents').addColumn('digest', 'text').execute();
  // Typed here, not through the service's schema: a migration sees the table as it is now.
  const docs = db as unknown as Kysely<{
    upstream_documents: { upstream_id: string; doc_key: string; body: string; digest: string | null };
  }>;
  const keys = await docs.selectFrom('upstream_documents').select(['upstream_id', 'doc_key']).execute();
  // One body at a time: documents can be large, and a cache can hold many.
  for (const { upstream_id, doc_key } of keys) {
    const row = await docs
      .selectFrom('upstream_documents')
      .select('body')
      .where('upstream_id', '=', upstream_id)
      .where('doc_key', '=', doc_key)
      .executeTakeFirst();
    if (!row) continue;
    await docs
      .updateTable('upstream_documents')
      .set({ digest: documentDigest(row.body) })
      .where('upstream_id', '=', upstream_id)
      .where('doc_key', '=', doc_key)
      .execute();
  }
  await db.schema
    .createIndex('upstream_documents_head')
    .on('upstream_documents')
    .columns(['upstream_id', 'doc_key', 'digest', 'fetched_at', 'etag', 'last_modified'])
    .execute();
}

// As the service computes it (src/server/store/upstreams.ts), written out so this stays as it ran.
function documentDigest(body: string): string {
  return crypto.createHash('sha256').update(body).digest('base64url');
}
