import { sql, type Kysely } from 'kysely';

/**
 * A Python release is several files (an sdist and any number of wheels) of one name and version,
 * and PyPI keys each by its file name. So a live Python package is unique per (repository, name,
 * version, file name); every other format keeps one live package per (repository, name, version).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('packages_live_version').execute();
  await db.schema
    .createIndex('packages_live_version')
    .on('packages')
    .columns(['repo_id', 'format', 'name_key', 'version'])
    .unique()
    .where((eb) => eb.and([eb(sql.ref('deleted_at'), 'is', null), eb(sql.ref('format'), '<>', 'python')]))
    .execute();
  await db.schema
    .createIndex('packages_live_python_file')
    .on('packages')
    .columns(['repo_id', 'name_key', 'version', 'filename'])
    .unique()
    .where((eb) => eb.and([eb(sql.ref('deleted_at'), 'is', null), eb(sql.ref('format'), '=', 'python')]))
    .execute();
}
