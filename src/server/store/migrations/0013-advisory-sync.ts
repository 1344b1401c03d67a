import type { Kysely } from 'kysely';

/**
 * What scheduled advisory sync needs beyond the feed rows: the sha256 of the archive each feed
 * last imported, so that an unchanged archive is recognised without reading it. (Which process
 * syncs is decided by the named leases of 0015-job-leases.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('advisory_feeds').addColumn('archive_sha256', 'text').execute();
}
