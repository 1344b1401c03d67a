import type { Kysely } from 'kysely';

/**
 * Upstreams of a repository (the Cloudsmith `upstream/{format}` resource), the documents fetched
 * from them (npm packuments, Python simple pages) with what revalidating them needs, and each
 * repository's firewall mode.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('upstreams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('repo_id', 'text', (c) => c.notNull().references('repos.id'))
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('upstream_url', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('auth_mode', 'text', (c) => c.notNull())
    .addColumn('auth_username', 'text')
    // Sealed (AES-GCM under the server secret): sent upstream, never returned or logged.
    .addColumn('auth_secret', 'text')
    .addColumn('extra_headers', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('verify_ssl', 'integer', (c) => c.notNull())
    .addColumn('is_active', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema
    .createIndex('upstreams_repo_format')
    .on('upstreams')
    .columns(['repo_id', 'format', 'priority'])
    .execute();
  await db.schema
    .createTable('upstream_documents')
    .addColumn('upstream_id', 'text', (c) => c.notNull())
    .addColumn('doc_key', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('fetched_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('upstream_documents_pk', ['upstream_id', 'doc_key'])
    .execute();
  await db.schema
    .createTable('upstream_firewalls')
    .addColumn('repo_id', 'text', (c) => c.primaryKey())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
