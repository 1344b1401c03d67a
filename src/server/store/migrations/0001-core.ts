import { sql, type Kysely } from 'kysely';

/** Organisations, access, repositories, uploads, packages, tags and the audit log. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('orgs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_created_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('deleted_at', 'text')
    .addUniqueConstraint('services_org_slug', ['org_id', 'slug'])
    .execute();
  await db.schema
    .createTable('teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('Visible'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('teams_org_slug', ['org_id', 'slug'])
    .execute();
  await db.schema
    .createTable('team_members')
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'service_id'])
    .execute();
  await db.schema
    .createTable('repos')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('repository_type', 'text', (c) => c.notNull().defaultTo('Private'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema
    .createIndex('repos_live_slug')
    .on('repos')
    .columns(['org_id', 'slug'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema
    .createTable('repo_privileges')
    .addColumn('repo_id', 'text', (c) => c.notNull().references('repos.id').onDelete('cascade'))
    .addColumn('principal_kind', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('privilege', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('repo_privileges_pk', ['repo_id', 'principal_kind', 'principal_id'])
    .execute();
  await db.schema
    .createTable('blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('md5', 'text', (c) => c.notNull())
    .addColumn('sha1', 'text', (c) => c.notNull())
    .addColumn('sha512', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('repo_id', 'text', (c) => c.notNull().references('repos.id'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('declared_sha256', 'text')
    .addColumn('declared_md5', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('blob_sha256', 'text')
    .addColumn('size', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('uploads_expiry').on('uploads').columns(['state', 'expires_at']).execute();
  await db.schema
    .createTable('upload_parts')
    .addColumn('upload_id', 'text', (c) => c.notNull().references('uploads.id').onDelete('cascade'))
    .addColumn('part_number', 'integer', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('upload_parts_pk', ['upload_id', 'part_number'])
    .execute();
  await db.schema
    .createTable('packages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('repo_id', 'text', (c) => c.notNull().references('repos.id'))
    .addColumn('origin_repo_id', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('blob_sha256', 'text', (c) => c.notNull().references('blobs.sha256'))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('license', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('stage', 'integer', (c) => c.notNull())
    .addColumn('status_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status_updated_at', 'text', (c) => c.notNull())
    .addColumn('stage_updated_at', 'text', (c) => c.notNull())
    .addColumn('sync_finished_at', 'text')
    .addColumn('is_quarantined', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('policy_violated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('security_scan_status', 'text', (c) => c.notNull())
    .addColumn('security_scan_started_at', 'text')
    .addColumn('security_scan_completed_at', 'text')
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .addColumn('uploader_id', 'text')
    .addColumn('uploader', 'text', (c) => c.notNull())
    .addColumn('identity', 'text')
    .addColumn('deleted_at', 'text')
    .execute();
  // One live package per (repository, format, name, version); deleted rows keep their history.
  await db.schema
    .createIndex('packages_live_version')
    .on('packages')
    .columns(['repo_id', 'format', 'name_key', 'version'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('packages_repo_uploaded')
    .on('packages')
    .columns(['repo_id', 'uploaded_at'])
    .execute();
  await db.schema.createIndex('packages_slug').on('packages').columns(['repo_id', 'slug']).execute();
  await db.schema.createIndex('packages_blob').on('packages').columns(['blob_sha256']).execute();
  await db.schema
    .createTable('package_tags')
    .addColumn('package_id', 'text', (c) => c.notNull().references('packages.id').onDelete('cascade'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('immutable', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('package_tags_pk', ['package_id', 'tag'])
    .execute();
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('repo_id', 'text')
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('event_kind', 'text', (c) => c.notNull())
    .addColumn('event_at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_slug_perm', 'text')
    .addColumn('actor_ip_address', 'text')
    .addColumn('object', 'text', (c) => c.notNull())
    .addColumn('object_kind', 'text', (c) => c.notNull())
    .addColumn('object_slug_perm', 'text')
    .addColumn('target', 'text')
    .addColumn('target_kind', 'text')
    .addColumn('target_slug_perm', 'text')
    .addColumn('context', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('audit_org_time').on('audit_events').columns(['org_id', 'event_at']).execute();
  await db.schema.createIndex('audit_object').on('audit_events').columns(['object_slug_perm']).execute();
}
