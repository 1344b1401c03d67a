import type { Kysely } from 'kysely';

/**
 * The advisory database imported from OSV archives: one row per advisory, its aliases (searched
 * by CVE/GHSA id) and its affected packages (found by ecosystem and folded name).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('advisories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('id_key', 'text', (c) => c.notNull())
    .addColumn('modified', 'text', (c) => c.notNull())
    .addColumn('published', 'text')
    .addColumn('withdrawn', 'text')
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('details', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('severity_level', 'text', (c) => c.notNull())
    .addColumn('severity_score', 'double precision')
    .addColumn('severity_source', 'text')
    .addColumn('severity_vector', 'text')
    .addColumn('refs', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('raw', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('advisories_id_key').on('advisories').column('id_key').execute();
  await db.schema
    .createTable('advisory_aliases')
    .addColumn('advisory_id', 'text', (c) => c.notNull().references('advisories.id').onDelete('cascade'))
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('alias_key', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('advisory_aliases_pk', ['advisory_id', 'alias'])
    .execute();
  await db.schema.createIndex('advisory_aliases_key').on('advisory_aliases').column('alias_key').execute();
  await db.schema
    .createTable('advisory_packages')
    .addColumn('advisory_id', 'text', (c) => c.notNull().references('advisories.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('purl', 'text')
    .addColumn('ranges', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('versions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('severity_level', 'text')
    .addColumn('severity_score', 'double precision')
    .addColumn('severity_source', 'text')
    .addColumn('severity_vector', 'text')
    .addPrimaryKeyConstraint('advisory_packages_pk', ['advisory_id', 'position'])
    .execute();
  await db.schema
    .createIndex('advisory_packages_name')
    .on('advisory_packages')
    .columns(['ecosystem', 'name_key'])
    .execute();
}
