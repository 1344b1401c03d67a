import type { Kysely } from 'kysely';

/** Scan results (one row per scan, one per finding) and the components each package contains. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('package_id', 'text', (c) => c.notNull().references('packages.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('repo_id', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('num_components', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('num_vulnerabilities', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_severity', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('scans_package').on('scans').columns(['package_id', 'completed_at']).execute();
  await db.schema.createIndex('scans_repo').on('scans').columns(['repo_id', 'completed_at']).execute();
  await db.schema
    .createTable('scan_findings')
    .addColumn('scan_id', 'text', (c) => c.notNull().references('scans.id').onDelete('cascade'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('finding', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('scan_findings_pk', ['scan_id', 'ordinal'])
    .execute();
  await db.schema
    .createTable('package_components')
    .addColumn('package_id', 'text', (c) => c.notNull().references('packages.id').onDelete('cascade'))
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('package_components_pk', ['package_id', 'ecosystem', 'name', 'version'])
    .execute();
  await db.schema
    .createIndex('package_components_name')
    .on('package_components')
    .columns(['ecosystem', 'name'])
    .execute();
}
