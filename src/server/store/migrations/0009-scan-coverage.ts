import { sql, type Kysely } from 'kysely';

/**
 * Scan coverage: how many components each scan evaluated and did not, the scan limit that
 * stopped it, and (JSON) the not-evaluated components it lists and its per-ecosystem counts.
 * Scans recorded before coverage was tracked are taken as having evaluated every component.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('scans')
    .addColumn('num_components_evaluated', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('scans')
    .addColumn('num_components_not_evaluated', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('scans').addColumn('limit_reached', 'text').execute();
  await db.schema.alterTable('scans').addColumn('coverage', 'text').execute();
  await sql`update scans set num_components_evaluated = num_components`.execute(db);
}
