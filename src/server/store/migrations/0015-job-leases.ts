import type { Kysely } from 'kysely';

/**
 * What several processes sharing one database need to share work safely: which claim holds a
 * running job (`jobs.locked_by`, compared when the job is completed, so a claim whose lease
 * expired and was taken over cannot finish the job a second time), and named leases that let
 * exactly one process at a time run a scheduler (upload expiry, advisory sync).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('locked_by', 'text').execute();
  // Claims look for due jobs of a few kinds; heartbeats and takeovers look for running ones.
  await db.schema.createIndex('jobs_claim').on('jobs').columns(['kind', 'status', 'run_at']).execute();
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'text', (c) => c.notNull())
    .execute();
}
