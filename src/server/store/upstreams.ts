import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import type { UpstreamsTable } from './schema.js';
import { compiledOnce } from './compiled-once.js';
import { dbOf, type DbSource } from './source.js';

/** A stored upstream. */
export type UpstreamRecord = Selectable<UpstreamsTable>;

/** A cached upstream document with its validators. */
export interface UpstreamDocument {
  body: string;
  etag: string | null;
  lastModified: string | null;
  fetchedAt: string;
}

/** What a cached upstream document is without its body: which one it is, and its validators. */
export interface UpstreamDocumentHead {
  /** The digest of the body ({@link documentDigest}). */
  digest: string;
  etag: string | null;
  lastModified: string | null;
  fetchedAt: string;
}

/** The digest a cached document's body is known by: sha256, base64url. */
export function documentDigest(body: string): string {
  return crypto.createHash('sha256').update(body).digest('base64url');
}

// Compiled once: every registry and index read asks whether its repository has upstreams.
const selectUpstreams = compiledOnce((db, p: { repoId: string; format: string }) =>
  db
    .selectFrom('upstreams')
    .selectAll()
    .where('repo_id', '=', p.repoId)
    .where('format', '=', p.format)
    .where('deleted_at', 'is', null)
    .orderBy('priority')
    .orderBy('created_at')
    .orderBy('id'),
);

/** The live upstreams of a repository for one format, by priority (then age). */
export async function listUpstreamRecords(
  source: DbSource,
  repoId: string,
  format: string,
  window?: { offset: number; size: number },
): Promise<UpstreamRecord[]> {
  if (!window) return (await selectUpstreams(source, { repoId, format })).rows;
  let q = dbOf(source)
    .selectFrom('upstreams')
    .selectAll()
    .where('repo_id', '=', repoId)
    .where('format', '=', format)
    .where('deleted_at', 'is', null)
    .orderBy('priority')
    .orderBy('created_at')
    .orderBy('id');
  if (window) q = q.offset(window.offset).limit(window.size);
  return q.execute();
}

/** How many live upstreams of a format a repository has. */
export async function countUpstreamRecords(
  source: DbSource,
  repoId: string,
  format: string,
): Promise<number> {
  const row = await dbOf(source)
    .selectFrom('upstreams')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('repo_id', '=', repoId)
    .where('format', '=', format)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One live upstream of a repository and format by id. */
export async function findUpstreamRecord(
  source: DbSource,
  repoId: string,
  format: string,
  id: string,
): Promise<UpstreamRecord | undefined> {
  return dbOf(source)
    .selectFrom('upstreams')
    .selectAll()
    .where('repo_id', '=', repoId)
    .where('format', '=', format)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** Whether another live upstream of the repository and format already points at `url`. */
export async function isUpstreamUrlTaken(
  source: DbSource,
  repoId: string,
  format: string,
  url: string,
  exceptId?: string,
): Promise<boolean> {
  let q = dbOf(source)
    .selectFrom('upstreams')
    .select('id')
    .where('repo_id', '=', repoId)
    .where('format', '=', format)
    .where('upstream_url', '=', url)
    .where('deleted_at', 'is', null);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** Stores a new upstream. */
export async function insertUpstream(source: DbSource, row: UpstreamRecord): Promise<void> {
  await dbOf(source).insertInto('upstreams').values(row).execute();
}

/** Writes every field of an upstream. */
export async function writeUpstream(source: DbSource, row: UpstreamRecord): Promise<void> {
  const { id, ...rest } = row;
  await dbOf(source).updateTable('upstreams').set(rest).where('id', '=', id).execute();
}

/** Soft-deletes an upstream and drops its cached documents. */
export async function removeUpstream(source: DbSource, id: string, at: string): Promise<void> {
  const db = dbOf(source);
  await db.updateTable('upstreams').set({ deleted_at: at }).where('id', '=', id).execute();
  await db.deleteFrom('upstream_documents').where('upstream_id', '=', id).execute();
}

// Compiled once: every read of a proxied packument or project page asks it. It names no body, and
// every column it names is stored before the body, so SQLite reads none of the body's pages.
const selectDocumentHead = compiledOnce((db, p: { upstreamId: string; key: string }) =>
  db
    .selectFrom('upstream_documents')
    .select(['digest', 'etag', 'last_modified', 'fetched_at'])
    .where('upstream_id', '=', p.upstreamId)
    .where('doc_key', '=', p.key),
);

const selectDocumentBody = compiledOnce((db, p: { upstreamId: string; key: string }) =>
  db
    .selectFrom('upstream_documents')
    .select(['body', 'digest'])
    .where('upstream_id', '=', p.upstreamId)
    .where('doc_key', '=', p.key),
);

/** The cached document `key` of an upstream without its body, if there is one. */
export async function findUpstreamDocumentHead(
  source: DbSource,
  upstreamId: string,
  key: string,
): Promise<UpstreamDocumentHead | undefined> {
  const row = (await selectDocumentHead(source, { upstreamId, key })).rows[0];
  if (!row) return undefined;
  // Every document saved since 0022 has its digest, and that migration gave the older ones theirs.
  const digest =
    row.digest ?? documentDigest((await readUpstreamDocumentBody(source, upstreamId, key))!.body);
  return { digest, etag: row.etag, lastModified: row.last_modified, fetchedAt: row.fetched_at };
}

/** The body of the cached document `key` of an upstream with its digest (as it is now), if there is one. */
export async function readUpstreamDocumentBody(
  source: DbSource,
  upstreamId: string,
  key: string,
): Promise<{ body: string; digest: string } | undefined> {
  const row = (await selectDocumentBody(source, { upstreamId, key })).rows[0];
  return row && { body: row.body, digest: row.digest };
}

/** Stores (or replaces) a cached document of an upstream, with the digest of its body. */
export async function saveUpstreamDocument(
  source: DbSource,
  upstreamId: string,
  key: string,
  doc: UpstreamDocument,
): Promise<string> {
  const digest = documentDigest(doc.body);
  const values = {
    body: doc.body,
    digest,
    etag: doc.etag,
    last_modified: doc.lastModified,
    fetched_at: doc.fetchedAt,
  };
  await dbOf(source)
    .insertInto('upstream_documents')
    .values({ upstream_id: upstreamId, doc_key: key, ...values })
    .onConflict((oc) => oc.columns(['upstream_id', 'doc_key']).doUpdateSet(values))
    .execute();
  return digest;
}

/** Marks a cached document fresh again (a 304 answer). */
export async function touchUpstreamDocument(
  source: DbSource,
  upstreamId: string,
  key: string,
  fetchedAt: string,
): Promise<void> {
  await dbOf(source)
    .updateTable('upstream_documents')
    .set({ fetched_at: fetchedAt })
    .where('upstream_id', '=', upstreamId)
    .where('doc_key', '=', key)
    .execute();
}

/** A repository's firewall mode, if one was set. */
export async function findFirewallMode(source: DbSource, repoId: string): Promise<string | undefined> {
  return (await selectFirewallMode(source, { repoId })).rows[0]?.mode;
}

const selectFirewallMode = compiledOnce((db, p: { repoId: string }) =>
  db.selectFrom('upstream_firewalls').select('mode').where('repo_id', '=', p.repoId),
);

/** Sets a repository's firewall mode. */
export async function saveFirewallMode(
  source: DbSource,
  repoId: string,
  mode: string,
  at: string,
): Promise<void> {
  await dbOf(source)
    .insertInto('upstream_firewalls')
    .values({ repo_id: repoId, mode, updated_at: at })
    .onConflict((oc) => oc.column('repo_id').doUpdateSet({ mode, updated_at: at }))
    .execute();
}

/** Records a blob's digests (kept when the same bytes are already known). */
export async function recordBlob(
  source: DbSource,
  blob: { sha256: string; size: number; md5: string; sha1: string; sha512: string | null },
  at: string,
): Promise<void> {
  await dbOf(source)
    .insertInto('blobs')
    .values({ ...blob, created_at: at })
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
}
