import type { Kysely } from 'kysely';

/**
 * Repository promotion rules: a JSON object of build-identity field → pattern that a package's
 * recorded CI identity must match before it may be copied or moved into the repository. `{}`
 * (every existing repository) means no rule.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('repos')
    .addColumn('promotion_rules', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
}
