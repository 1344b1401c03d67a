/**
 * The audit log: events are written in the caller's transaction (so an event exists exactly when
 * its change does) and read back with their context parsed.
 */

import { sql, type Expression, type ExpressionBuilder, type Selectable, type SqlBool } from 'kysely';
import type { AUDIT_QUERY_FACETS } from '../../api/audit.js';
import { decodeObject, encodeObject } from './codecs.js';
import { compiledOnce, type BoundQuery, type Placeholders } from './compiled-once.js';
import type { Db } from './db.js';
import { dbOf, type DbSource } from './source.js';
import { readableRepoIds, type Reader } from './readable-repos.js';
import type { AuditEventsTable, Database } from './schema.js';

/** An audit event, its context parsed (a context that does not parse reads as empty). */
export type AuditRecord = Omit<Selectable<AuditEventsTable>, 'context'> & {
  context: Record<string, unknown>;
};

/** A column an audit-log search may filter on, matched exactly or, with `prefix`, by its start. */
export interface AuditFilter {
  facet: (typeof AUDIT_QUERY_FACETS)[number];
  value: string;
  prefix: boolean;
}

function decodeEvent(row: Selectable<AuditEventsTable>): AuditRecord {
  return { ...row, context: decodeObject(row.context) ?? {} };
}

/** The insert of one event, built with Kysely from the event's values (or placeholders for them). */
export function buildEventInsert(db: Db, p: Placeholders<Selectable<AuditEventsTable>>) {
  return db.insertInto('audit_events').values({
    id: p.id,
    org_id: p.org_id,
    repo_id: p.repo_id,
    event: p.event,
    event_kind: p.event_kind,
    event_at: p.event_at,
    actor: p.actor,
    actor_kind: p.actor_kind,
    actor_slug_perm: p.actor_slug_perm,
    actor_ip_address: p.actor_ip_address,
    object: p.object,
    object_kind: p.object_kind,
    object_slug_perm: p.object_slug_perm,
    target: p.target,
    target_kind: p.target_kind,
    target_slug_perm: p.target_slug_perm,
    context: p.context,
  });
}

// Built once: an event is written with nearly every change, and with every token exchange.
const insertEventRow = compiledOnce(buildEventInsert);

/** An event's row as stored: its context encoded. */
export function eventRow(event: AuditRecord): Selectable<AuditEventsTable> {
  return { ...event, context: encodeObject(event.context) };
}

/** Writes one audit event. */
export async function insertAuditEvent(src: DbSource, event: AuditRecord): Promise<void> {
  await insertEventRow(src, eventRow(event));
}

/** The insert of one audit event, bound for a caller that runs it itself (a group commit of its own). */
export function bindAuditEventInsert(src: DbSource, event: AuditRecord): BoundQuery {
  return insertEventRow.bind(src, eventRow(event));
}

function filterTerm(eb: ExpressionBuilder<Database, 'audit_events'>, t: AuditFilter): Expression<SqlBool> {
  if (!t.prefix) return eb(t.facet, '=', t.value);
  const pattern = t.value.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
  // LIKE … ESCAPE reads the same in SQLite and PostgreSQL.
  return sql<SqlBool>`${sql.ref(t.facet)} like ${pattern} escape '\\'`;
}

/**
 * One page of an organisation's events (or, with `repoId`, one repository's), newest first,
 * matching every filter, with the total.
 */
export async function listAuditEvents(
  src: DbSource,
  scope: { orgId: string; repoId?: string },
  filters: AuditFilter[],
  window: { offset: number; size: number },
): Promise<{ rows: AuditRecord[]; count: number }> {
  const db = dbOf(src);
  let base = db.selectFrom('audit_events').where('org_id', '=', scope.orgId);
  if (scope.repoId !== undefined) base = base.where('repo_id', '=', scope.repoId);
  for (const t of filters) base = base.where((eb) => filterTerm(eb, t));
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll()
    .orderBy('event_at', 'desc')
    .orderBy('id', 'desc')
    .limit(window.size)
    .offset(window.offset)
    .execute();
  return { rows: rows.map(decodeEvent), count: Number(total.n) };
}

/**
 * One page of a package's own events, oldest first, that happened in repositories of `orgId` the
 * reader may read, with the total of those.
 */
export async function listPackageEvents(
  src: DbSource,
  packageId: string,
  reader: Reader,
  orgId: string,
  window: { offset: number; size: number },
): Promise<{ rows: AuditRecord[]; count: number }> {
  const db = dbOf(src);
  const base = db
    .selectFrom('audit_events')
    .where('object_slug_perm', '=', packageId)
    .where('object_kind', '=', 'package')
    .where('repo_id', 'in', readableRepoIds(db, reader, orgId));
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll()
    .orderBy('event_at', 'asc')
    .orderBy('id', 'asc')
    .limit(window.size)
    .offset(window.offset)
    .execute();
  return { rows: rows.map(decodeEvent), count: Number(total.n) };
}

/** The events named `event` about the object `objectSlugPerm` (context and time), in no set order. */
export async function findObjectEvents(
  src: DbSource,
  objectSlugPerm: string,
  event: string,
): Promise<{ context: Record<string, unknown>; event_at: string }[]> {
  const db = dbOf(src);
  const rows = await db
    .selectFrom('audit_events')
    .select(['context', 'event_at'])
    .where('object_slug_perm', '=', objectSlugPerm)
    .where('event', '=', event)
    .execute();
  return rows.map((r) => ({ context: decodeObject(r.context) ?? {}, event_at: r.event_at }));
}
