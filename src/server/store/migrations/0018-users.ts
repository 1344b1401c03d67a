import type { Kysely } from 'kysely';

/**
 * Organisation members who are people. A user is an account like a service account (an API key,
 * team memberships, repository grants, audit entries), so it lives in the same table and every
 * rule that already holds for accounts holds for it; `kind` tells them apart, `email` names the
 * person (unique within the org) and `member_role` keeps the four-level org role (Owner,
 * Manager, Member, ReadOnly) that the two-level `role` column is derived from.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('services')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('service'))
    .execute();
  await db.schema.alterTable('services').addColumn('email', 'text').execute();
  await db.schema.alterTable('services').addColumn('member_role', 'text').execute();
  // The last four characters of an account's key, so that reads can show which key is current
  // (as a redacted key that ends in them) without the key ever being stored.
  await db.schema.alterTable('services').addColumn('key_tail', 'text').execute();
  await db.schema
    .createIndex('services_org_email')
    .on('services')
    .columns(['org_id', 'email'])
    .unique()
    .execute();
}
