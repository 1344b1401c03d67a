import type { Kysely } from 'kysely';

/**
 * The state of each ecosystem's advisory data: where it last came from, the validators for a
 * conditional re-download, and when it was last refreshed (the age the gate checks).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('advisory_feeds')
    .addColumn('ecosystem', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('updated_at', 'text')
    .addColumn('checked_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('advisory_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
