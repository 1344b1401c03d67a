import type { Kysely } from 'kysely';

/**
 * Sessions of the web interface. `id_hash` is the keyed hash of the cookie's value (the value
 * itself is never stored); `credential` is the credential the session signed in with, sealed
 * with a key derived from the server secret, so each request is authorised exactly as that
 * credential would be (a revoked key or an expired token ends the session too). `csrf` is the
 * token every form of the session carries. `services.password_hash` is a user's web password
 * (scrypt), for signing in with an email instead of a key.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('web_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('credential', 'text', (c) => c.notNull())
    .addColumn('csrf', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('web_sessions_expiry').on('web_sessions').column('expires_at').execute();
  await db.schema.alterTable('services').addColumn('password_hash', 'text').execute();
}
