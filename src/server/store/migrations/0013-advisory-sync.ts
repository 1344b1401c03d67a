import type { Kysely } from 'kysely';

/**
 * What scheduled advisory sync needs beyond the feed rows: the sha256 of the archive each feed
 * last imported (an unchanged archive is recognised without reading it), and a lease so that, of
 * several processes sharing one database, only one syncs at a time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('advisory_feeds').addColumn('archive_sha256', 'text').execute();
  await db.schema
    .createTable('advisory_sync_lease')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}
