import type { WebSessionsTable } from './schema.js';
import { dbOf, type DbSource } from './source.js';

/** A stored web session. */
export type WebSessionRecord = WebSessionsTable;

/** Stores a new session. */
export async function insertWebSession(src: DbSource, row: WebSessionRecord): Promise<void> {
  await dbOf(src).insertInto('web_sessions').values(row).execute();
}

/** The session stored under `idHash` that has not expired at `now`. */
export async function findWebSession(
  src: DbSource,
  idHash: string,
  now: string,
): Promise<WebSessionRecord | undefined> {
  return dbOf(src)
    .selectFrom('web_sessions')
    .selectAll()
    .where('id_hash', '=', idHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Removes one session (sign-out). */
export async function deleteWebSession(src: DbSource, idHash: string): Promise<void> {
  await dbOf(src).deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
}

/** Removes sessions that expired before `now`; returns how many. */
export async function deleteExpiredWebSessions(src: DbSource, now: string): Promise<number> {
  const result = await dbOf(src).deleteFrom('web_sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
