import type { Kysely } from 'kysely';

/** Repository webhooks and the log of every delivery attempt. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('repo_id', 'text', (c) => c.notNull().references('repos.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('target_url', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('is_active', 'integer', (c) => c.notNull())
    .addColumn('package_query', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('request_body_format', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('signature_key', 'text')
    .addColumn('secret_header', 'text')
    .addColumn('secret_value', 'text')
    .addColumn('verify_ssl', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('num_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_in_a_row', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_response_status', 'integer')
    .addColumn('disable_reason', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disable_detail', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('deleted_at', 'text')
    .addUniqueConstraint('webhooks_repo_seq', ['repo_id', 'seq'])
    .execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
    .addColumn('trigger_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_hook')
    .on('webhook_deliveries')
    .columns(['webhook_id', 'attempted_at'])
    .execute();
}
