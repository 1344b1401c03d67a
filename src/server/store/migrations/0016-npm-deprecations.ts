import type { Kysely } from 'kysely';

/**
 * What the npm registry keeps beyond the package rows: the deprecation message of a version
 * (`npm deprecate`). One row per package version, removed with it; dist-tags are the packages'
 * `version` tags and need nothing new.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('npm_deprecations')
    .addColumn('package_id', 'text', (c) => c.primaryKey().references('packages.id').onDelete('cascade'))
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
