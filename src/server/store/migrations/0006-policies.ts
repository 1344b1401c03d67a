import type { Kysely } from 'kysely';

/** Organisation policies (vulnerability, license, deny) and the violations they record. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('package_query_string', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('policies_org_kind').on('policies').columns(['org_id', 'kind']).execute();
  await db.schema
    .createTable('policy_violations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('package_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('event_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('policy_violations_pkg')
    .on('policy_violations')
    .columns(['package_id'])
    .execute();
  await db.schema
    .createIndex('policy_violations_org')
    .on('policy_violations')
    .columns(['org_id', 'kind', 'event_at'])
    .execute();
}
