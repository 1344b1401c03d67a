import { AUDIT_QUERY_FACETS, type AuditLogEntry } from '../../api/audit.js';
import { listAuditEvents, listPackageEvents, type AuditRecord } from '../store/audit.js';
import { readableRepoSlugs } from '../store/repos.js';
import type { Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { invalidField } from './errors.js';
import { resolveOrg, resolveRepo, type RepoAccess } from './repos.js';

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

/** Renders an audit event in the API's shape. */
export function toEntry(r: AuditRecord): AuditLogEntry {
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
    context: r.context,
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
  let scope: { orgId: string; repoId?: string };
  if (repo === null) {
    const { org } = await resolveOrg(ctx, actor, owner, { manager: true });
    scope = { orgId: org.id };
  } else {
    const { org, repo: row } = await resolveRepo(ctx, actor, owner, repo, 'Admin');
    scope = { orgId: org.id, repoId: row.id };
  }
  const { rows, count } = await listAuditEvents(ctx, scope, parseAuditQuery(query), window);
  return { items: rows.map(toEntry), count };
}

/** What a caller without Read on a repository an event names sees in place of that event's context. */
export const REDACTED_CONTEXT = { redacted: 'This event names a repository you cannot read.' } as const;

// The CI identity and short-lived token id recordAudit adds: who in the organisation acted.
function withoutIdentity(context: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...context };
  delete rest.identity;
  delete rest.token;
  return rest;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * One page of a package's own trail, oldest first, as `actor` may see it. A package moved or
 * copied into a repository the caller can read keeps history from repositories it cannot, and
 * that history (repository slugs, upload ids, tags, actors) is not the caller's to see:
 *
 * - events that happened in a repository the caller cannot read are left out (and not counted);
 * - an event it may see whose context names another repository it cannot read (the source of a
 *   move or copy) keeps its event, time and target, but its context reads {@link REDACTED_CONTEXT};
 * - callers from outside the package's organisation (anonymous ones included) see no actor ids
 *   and no CI identities; only repository Admins see client addresses.
 */
export async function listPackageTrail(
  ctx: ServiceContext,
  actor: Actor,
  access: RepoAccess,
  packageId: string,
  window: { offset: number; size: number },
): Promise<{ items: AuditLogEntry[]; count: number }> {
  const principal = actor.principal;
  const { rows, count } = await listPackageEvents(ctx, packageId, principal, access.org.id, window);
  const paths = new Set(
    (await readableRepoSlugs(ctx, principal, access.org.id)).map((slug) => `${access.org.slug}/${slug}`),
  );
  // Any `org/slug` in a context that is not a repository the caller reads now (another one, a
  // deleted one, or an old name of a renamed one) counts as private. The CI identity is left out
  // of the search: its claims name the CI's own repositories (`acme/app`), not this service's.
  const mention = new RegExp(`${escapeRegExp(access.org.slug)}/[a-z0-9._-]+`, 'gi');
  const namesPrivate = (context: Record<string, unknown>): boolean =>
    [...JSON.stringify(withoutIdentity(context)).matchAll(mention)].some((m) => !paths.has(m[0]));
  const member = principal !== null && principal.orgId === access.org.id;
  const admin = access.privilege === 'Admin';
  const items = rows.map(toEntry).map((e): AuditLogEntry => {
    let context: Record<string, unknown> = e.context;
    if (namesPrivate(context)) context = { ...REDACTED_CONTEXT };
    else if (!member) context = withoutIdentity(context);
    return {
      ...e,
      actor_slug_perm: member ? e.actor_slug_perm : null,
      // Client addresses are for repository Admins, as in the repository's own audit log.
      actor_ip_address: admin ? e.actor_ip_address : null,
      context,
    };
  });
  return { items, count };
}
