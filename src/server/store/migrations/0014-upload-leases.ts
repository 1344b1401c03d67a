import type { Kysely } from 'kysely';

/**
 * Leases that let several service processes share one database and one bucket: a lock per blob
 * address (committing a blob and collecting it as garbage never interleave) and a mark per
 * request receiving bytes for an upload (the expiry task of any process leaves that upload
 * alone). `owner` names the process's store (host and data directory), so a process that owns
 * its store alone can drop what its previous run held; `expires_at` frees the lease of a process
 * that died without releasing it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('blob_locks')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('upload_receipts')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('upload_id', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('upload_receipts_upload')
    .on('upload_receipts')
    .columns(['upload_id', 'expires_at'])
    .execute();
}
