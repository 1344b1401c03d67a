import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import { AUDIT_QUERY_FACETS, type AuditLogEntry } from '../../api/audit.js';
import type { Database } from '../store/schema.js';
import type { Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { invalidField } from './errors.js';
import { resolveOrg, resolveRepo } from './repos.js';

type Facet = (typeof AUDIT_QUERY_FACETS)[number];

/** One `facet:value` term of an audit-log query; `prefix` when the value ended in `*`. */
export interface AuditQueryTerm {
  facet: Facet;
  value: string;
  prefix: boolean;
}

/**
 * Parses an audit-log query: space-separated `facet:value` terms, all of which must match.
 * Throws 422 (field `query`) naming the first term it cannot read.
 */
export function parseAuditQuery(query: string | undefined): AuditQueryTerm[] {
  const terms: AuditQueryTerm[] = [];
  for (const word of (query ?? '').split(/\s+/).filter(Boolean)) {
    const colon = word.indexOf(':');
    const facet = word.slice(0, colon);
    const value = word.slice(colon + 1);
    if (colon <= 0 || !(AUDIT_QUERY_FACETS as readonly string[]).includes(facet)) {
      throw invalidField(
        'query',
        `'${word}' is not a search term: use facet:value with a facet among ${AUDIT_QUERY_FACETS.join(', ')}.`,
      );
    }
    const prefix = value.endsWith('*');
    const bare = prefix ? value.slice(0, -1) : value;
    if (!bare) throw invalidField('query', `'${word}' has no value after '${facet}:'.`);
    if (bare.includes('*')) throw invalidField('query', `'${word}': '*' may only end a value.`);
    terms.push({ facet: facet as Facet, value: bare, prefix });
  }
  return terms;
}

function termFilter(eb: ExpressionBuilder<Database, 'audit_events'>, t: AuditQueryTerm): Expression<SqlBool> {
  if (!t.prefix) return eb(t.facet, '=', t.value);
  const pattern = t.value.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
  // LIKE … ESCAPE reads the same in SQLite and PostgreSQL.
  return sql<SqlBool>`${sql.ref(t.facet)} like ${pattern} escape '\\'`;
}

/** Renders an audit row in the API's shape (a context that does not parse reads as empty). */
export function toEntry(r: Database['audit_events']): AuditLogEntry {
  let context: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(r.context);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      context = parsed as Record<string, unknown>;
  } catch {
    // A row written by hand with a broken context still lists; its context reads as empty.
  }
  return {
    uuid: r.id,
    event: r.event,
    event_at: r.event_at,
    actor: r.actor,
    actor_kind: r.actor_kind,
    actor_slug_perm: r.actor_slug_perm,
    actor_ip_address: r.actor_ip_address,
    object: r.object,
    object_kind: r.object_kind,
    object_slug_perm: r.object_slug_perm,
    target: r.target,
    target_kind: r.target_kind,
    target_slug_perm: r.target_slug_perm,
    context,
  };
}

/**
 * One page of audit events, newest first: the whole org's (org Manager) when `repo` is null,
 * else one repository's (repo Admin). `query` filters by facets (see {@link parseAuditQuery}).
 */
export async function listAuditLog(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string | null,
  query: string | undefined,
  window: { offset: number; size: number },
): Promise<{ items: AuditLogEntry[]; count: number }> {
  let base = ctx.db.selectFrom('audit_events');
  if (repo === null) {
    const { org } = await resolveOrg(ctx, actor, owner, { manager: true });
    base = base.where('org_id', '=', org.id);
  } else {
    const { org, repo: row } = await resolveRepo(ctx, actor, owner, repo, 'Admin');
    base = base.where('org_id', '=', org.id).where('repo_id', '=', row.id);
  }
  for (const t of parseAuditQuery(query)) base = base.where((eb) => termFilter(eb, t));
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll()
    .orderBy('event_at', 'desc')
    .orderBy('id', 'desc')
    .limit(window.size)
    .offset(window.offset)
    .execute();
  return { items: rows.map(toEntry), count: Number(total.n) };
}
