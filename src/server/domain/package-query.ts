import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { AuditLogEntry } from '../../api/audit.js';
import type { Package, PackageListQuery, PackageStatus } from '../../api/packages.js';
import type { Database } from '../store/schema.js';
import type { Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { invalidField, notFound } from './errors.js';
import { STATUS_SEARCH_NAMES } from './package-status.js';
import { loadPackageViews, packageStatusView, packageView } from './package-view.js';
import type { PackageRow, RepoRef } from './package-writes.js';
import { resolveRepo, type RepoAccess } from './repos.js';
import { toEntry } from './audit-log.js';

/** The fields a search term may name (a bare word searches `name`). */
export const SEARCH_FIELDS = [
  'name',
  'version',
  'format',
  'tag',
  'status',
  'filename',
  'checksum',
  'policy_violated',
] as const;
type SearchField = (typeof SEARCH_FIELDS)[number];

/** One `field:value` term; `negated` for `~field:value` or `NOT field:value`. */
export interface SearchTerm {
  field: SearchField;
  value: string;
  negated: boolean;
}

/** A parsed query: alternatives (OR) of terms that must all match (AND). */
export type SearchQuery = SearchTerm[][];

/** The repository reference package writes record, from a resolved repository. */
export function repoRef(access: RepoAccess): RepoRef {
  return { id: access.repo.id, orgId: access.org.id, path: `${access.org.slug}/${access.repo.slug}` };
}

/** The live package `identifier` (slug_perm, else slug) of a repository; 404 naming it otherwise. */
export async function findLivePackage(
  db: Kysely<Database>,
  repoId: string,
  identifier: string,
  repoPath: string,
): Promise<PackageRow> {
  const rows = await db
    .selectFrom('packages')
    .selectAll()
    .where('repo_id', '=', repoId)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('id', '=', identifier), eb('slug', '=', identifier)]))
    .execute();
  const pkg = rows.find((r) => r.id === identifier) ?? rows[0];
  if (!pkg) throw notFound(`Package '${identifier}' in ${repoPath}`);
  return pkg;
}

function tokenize(query: string): string[] {
  const tokens: string[] = [];
  const re = /(?:[^\s"]+|"[^"]*")+/g;
  for (const m of query.matchAll(re)) tokens.push(m[0]);
  return tokens;
}

/**
 * Parses the list search: space-separated terms, all of which must match; `OR` between terms
 * starts an alternative; `~term` or `NOT term` negates one. A term is `field:value` (a bare
 * value searches names); values may be quoted, anchored with `^`/`$` and use `*` as wildcard.
 * Throws 422 (field `query`) naming the term it cannot read.
 */
export function parsePackageQuery(query: string | undefined): SearchQuery {
  const groups: SearchQuery = [[]];
  let negateNext = false;
  for (const token of tokenize(query ?? '')) {
    if (token === 'AND') continue;
    if (token === 'OR') {
      if (groups.at(-1)!.length === 0) throw invalidField('query', "'OR' must stand between two terms.");
      groups.push([]);
      continue;
    }
    if (token === 'NOT') {
      negateNext = true;
      continue;
    }
    let text = token;
    let negated = negateNext;
    negateNext = false;
    if (text.startsWith('~')) {
      negated = !negated;
      text = text.slice(1);
    }
    const colon = text.indexOf(':');
    const field = (colon > 0 ? text.slice(0, colon) : 'name').toLowerCase();
    const value = (colon > 0 ? text.slice(colon + 1) : text).replace(/"/g, '');
    if (!(SEARCH_FIELDS as readonly string[]).includes(field)) {
      throw invalidField(
        'query',
        `'${token}' searches an unknown field '${field}': use ${SEARCH_FIELDS.map((f) => `${f}:`).join(', ')}.`,
      );
    }
    if (!value) throw invalidField('query', `'${token}' has no value after '${field}:'.`);
    groups.at(-1)!.push({ field: field as SearchField, value, negated });
  }
  if (negateNext) throw invalidField('query', "'NOT' must come before a term.");
  if (groups.length > 1 && groups.at(-1)!.length === 0) {
    throw invalidField('query', "'OR' must stand between two terms.");
  }
  return groups[0]!.length === 0 ? [] : groups;
}

type PackagesEb = ExpressionBuilder<Database, 'packages'>;

/** A LIKE pattern (escape character `!`) for a value with `^`/`$` anchors and `*` wildcards. */
function likePattern(value: string, substring: boolean): string {
  let v = value.toLowerCase();
  const start = v.startsWith('^') || !substring;
  const end = v.endsWith('$') || !substring;
  v = v.replace(/^\^/, '').replace(/\$$/, '');
  const body = v.replace(/[!%_]/g, (c) => `!${c}`).replace(/\*/g, '%');
  return `${start ? '' : '%'}${body}${end ? '' : '%'}`;
}

function textMatch(column: string, value: string, substring: boolean): Expression<SqlBool> {
  const plain = !/[*^$]/.test(value);
  // lower() on both sides and an explicit ESCAPE read the same in SQLite and PostgreSQL.
  if (plain && !substring) return sql<SqlBool>`lower(${sql.ref(column)}) = ${value.toLowerCase()}`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${likePattern(value, substring)} escape '!'`;
}

function termFilter(eb: PackagesEb, t: SearchTerm): Expression<SqlBool> {
  switch (t.field) {
    case 'name':
      return textMatch('packages.name', t.value, true);
    case 'filename':
      return textMatch('packages.filename', t.value, true);
    case 'version':
      return textMatch('packages.version', t.value, false);
    case 'format':
      return textMatch('packages.format', t.value, false);
    case 'tag':
      return eb.exists(
        eb
          .selectFrom('package_tags')
          .select('package_tags.tag')
          .whereRef('package_tags.package_id', '=', 'packages.id')
          .where(() => textMatch('package_tags.tag', t.value, false)),
      );
    case 'checksum': {
      const sum = t.value.toLowerCase();
      return eb.exists(
        eb
          .selectFrom('blobs')
          .select('blobs.sha256')
          .whereRef('blobs.sha256', '=', 'packages.blob_sha256')
          .where((b) =>
            b.or([
              b('blobs.sha256', '=', sum),
              b('blobs.md5', '=', sum),
              b('blobs.sha1', '=', sum),
              b('blobs.sha512', '=', sum),
            ]),
          ),
      );
    }
    case 'status': {
      const key = t.value.toLowerCase().replace(/[\s-]+/g, '_');
      const status = STATUS_SEARCH_NAMES[key];
      if (status === undefined) {
        throw invalidField(
          'query',
          `'status:${t.value}' is not a status: use ${Object.keys(STATUS_SEARCH_NAMES).join(', ')}.`,
        );
      }
      return eb('packages.status', '=', status);
    }
    case 'policy_violated': {
      const v = t.value.toLowerCase();
      if (v !== 'true' && v !== 'false') {
        throw invalidField('query', `'policy_violated:${t.value}' must be policy_violated:true or :false.`);
      }
      return eb('packages.policy_violated', '=', v === 'true' ? 1 : 0);
    }
  }
}

/** The SQL condition for a parsed search (true when it is empty). */
export function searchFilter(eb: PackagesEb, query: SearchQuery): Expression<SqlBool> {
  if (query.length === 0) return eb.lit(true);
  return eb.or(
    query.map((group) =>
      eb.and(group.map((t) => (t.negated ? eb.not(termFilter(eb, t)) : termFilter(eb, t)))),
    ),
  );
}

const SORT_COLUMNS = {
  date: 'packages.uploaded_at',
  name: 'packages.name_key',
  version: 'packages.version',
  format: 'packages.format',
  size: 'packages.size',
  filename: 'packages.filename',
  status: 'packages.status',
} as const;

/** Parses `sort` (comma-separated fields, `-` for descending; default `-date`). */
export function parseSort(sort: string | undefined): { column: string; desc: boolean }[] {
  const fields = (sort ?? '-date')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return fields.map((f) => {
    const desc = f.startsWith('-');
    const name = f.replace(/^[-+]/, '');
    const column = (SORT_COLUMNS as Record<string, string>)[name];
    if (!column)
      throw invalidField('sort', `'${name}' is not sortable: use ${Object.keys(SORT_COLUMNS).join(', ')}.`);
    return { column, desc };
  });
}

/** One page of a repository's live packages (Read) matching `query`, in `sort` order, with the total. */
export async function listPackages(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  q: PackageListQuery,
  window: { offset: number; size: number },
): Promise<{ items: Package[]; count: number }> {
  const access = await resolveRepo(ctx, actor, owner, repoSlug, 'Read');
  const search = parsePackageQuery(q.query);
  const order = parseSort(q.sort);
  const base = ctx.db
    .selectFrom('packages')
    .where('packages.repo_id', '=', access.repo.id)
    .where('packages.deleted_at', 'is', null)
    .where((eb) => searchFilter(eb, search));
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  let page = base.select('packages.id');
  for (const o of order) page = page.orderBy(sql.ref(o.column), o.desc ? 'desc' : 'asc');
  const rows = await page.orderBy('packages.id').limit(window.size).offset(window.offset).execute();
  return {
    items: await loadPackageViews(
      ctx,
      rows.map((r) => r.id),
    ),
    count: Number(total.n),
  };
}

/** True when a package matches a search query (webhooks' `package_query`); an empty query matches all. */
export async function packageMatchesQuery(
  ctx: ServiceContext,
  packageId: string,
  query: string,
): Promise<boolean> {
  const search = parsePackageQuery(query);
  const row = await ctx.db
    .selectFrom('packages')
    .select('packages.id')
    .where('packages.id', '=', packageId)
    .where((eb) => searchFilter(eb, search))
    .executeTakeFirst();
  return row !== undefined;
}

/** `GET /packages/{owner}/{repo}/{identifier}/` (Read): one live package by slug_perm or slug. */
export async function getPackage(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  identifier: string,
): Promise<Package> {
  const access = await resolveRepo(ctx, actor, owner, repoSlug, 'Read');
  const pkg = await findLivePackage(ctx.db, access.repo.id, identifier, `${owner}/${repoSlug}`);
  return packageView(ctx, pkg.id);
}

/** `GET …/{identifier}/status/` (Read): the sync state and capabilities of a package. */
export async function getPackageStatus(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  identifier: string,
  waitFor?: (packageId: string) => Promise<void>,
): Promise<PackageStatus> {
  const access = await resolveRepo(ctx, actor, owner, repoSlug, 'Read');
  let pkg = await findLivePackage(ctx.db, access.repo.id, identifier, `${owner}/${repoSlug}`);
  if (waitFor) {
    await waitFor(pkg.id);
    pkg = await findLivePackage(ctx.db, access.repo.id, pkg.id, `${owner}/${repoSlug}`);
  }
  return packageStatusView(ctx, pkg, access.org.slug, access.repo.slug);
}

/**
 * `GET …/{identifier}/audit-log/` (Read): the package's own trail, oldest first, wherever it
 * happened (a moved package keeps its history; a copy's starts with where it was copied from).
 */
export async function listPackageAuditTrail(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  identifier: string,
  window: { offset: number; size: number },
): Promise<{ items: AuditLogEntry[]; count: number }> {
  const access = await resolveRepo(ctx, actor, owner, repoSlug, 'Read');
  const pkg = await findLivePackage(ctx.db, access.repo.id, identifier, `${owner}/${repoSlug}`);
  const base = ctx.db
    .selectFrom('audit_events')
    .where('object_slug_perm', '=', pkg.id)
    .where('object_kind', '=', 'package');
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll()
    .orderBy('event_at', 'asc')
    .orderBy('id', 'asc')
    .limit(window.size)
    .offset(window.offset)
    .execute();
  // Client addresses are for repository Admins, as in the repository's own audit log.
  const admin = access.privilege === 'Admin';
  return {
    items: rows.map(toEntry).map((e) => (admin ? e : { ...e, actor_ip_address: null })),
    count: Number(total.n),
  };
}
