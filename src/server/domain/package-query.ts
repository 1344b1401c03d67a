import type { AuditLogEntry } from '../../api/audit.js';
import type { Package, PackageListQuery, PackageStatus } from '../../api/packages.js';
import {
  PACKAGE_SORT_COLUMNS,
  type PackageCondition,
  type PackageFilter,
  type PackageSortKey,
} from '../store/package-search.js';
import { findLivePackagesByIdOrSlug, listLivePackageIds, packageMatchesFilter } from '../store/packages.js';
import type { DbSource } from '../store/source.js';
import type { Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { invalidField, notFound } from './errors.js';
import { SCAN_SEARCH_NAMES, SEVERITY_SEARCH_NAMES, STATUS_SEARCH_NAMES } from './package-status.js';
import { loadPackageViews, packageStatusView, packageView } from './package-view.js';
import type { PackageRow, RepoRef } from './package-writes.js';
import { resolveOrg, resolveRepo, type RepoAccess } from './repos.js';
import { listPackageTrail } from './audit-log.js';

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
  'scan',
  'severity',
  'scan_age',
  'coverage',
] as const;
type SearchField = (typeof SEARCH_FIELDS)[number];

/**
 * One `field:value` term; `negated` for `~field:value` or `NOT field:value`. The field `any` (the
 * value in any field) never comes from a query's text: it stands in for a term whose field name
 * cannot be read when a stored query is read leniently (see {@link readStoredQuery}).
 */
export interface SearchTerm {
  field: SearchField | 'any';
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
  db: DbSource,
  repoId: string,
  identifier: string,
  repoPath: string,
): Promise<PackageRow> {
  const rows = await findLivePackagesByIdOrSlug(db, repoId, identifier);
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
 * A query as read term by term. A term that could not be read is kept as the widest term it could
 * have meant: `any` for a value under a misspelt field, `null` (could match anything) otherwise.
 */
interface QueryReading {
  groups: (SearchTerm | null)[][];
  /** What could not be read, in query order. */
  problems: string[];
  /** True when `OR`/`NOT` stand where no term can follow them, so the grouping itself is unknown. */
  malformed: boolean;
}

/** Why a term's value cannot be searched for, or null when it can. */
function valueProblem(token: string, field: SearchField, value: string): string | null {
  if (!value) return `'${token}' has no value after '${field}:'.`;
  if (field === 'status' && STATUS_SEARCH_NAMES[value.toLowerCase().replace(/[\s-]+/g, '_')] === undefined) {
    return `'status:${value}' is not a status: use ${Object.keys(STATUS_SEARCH_NAMES).join(', ')}.`;
  }
  if (field === 'policy_violated' && !['true', 'false'].includes(value.toLowerCase())) {
    return `'policy_violated:${value}' must be policy_violated:true or :false.`;
  }
  if (field === 'scan' && !(searchKey(value) in SCAN_SEARCH_NAMES)) {
    return `'scan:${value}' is not a scan state: use ${Object.keys(SCAN_SEARCH_NAMES).join(', ')}.`;
  }
  if (field === 'severity' && !(searchKey(value) in SEVERITY_SEARCH_NAMES)) {
    return `'severity:${value}' is not a severity: use ${Object.keys(SEVERITY_SEARCH_NAMES).join(', ')}.`;
  }
  const range = field === 'scan_age' ? readAgeRange(value) : null;
  if (typeof range === 'string') return `'scan_age:${value}' ${range}`;
  if (field === 'coverage' && !(value.toLowerCase() in COVERAGE_VALUES)) {
    return `'coverage:${value}' must be coverage:gaps (components not evaluated) or coverage:complete.`;
  }
  return null;
}

const COVERAGE_VALUES: Record<string, boolean> = { gaps: true, complete: false };
const DURATION_UNITS_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A scan-age range `A..B` (more than A ago, at most B ago; either side may be left open), with
 * durations like `12h`, `1d`, `4w`; a string saying what is wrong otherwise.
 */
function readAgeRange(value: string): { overMs: number | null; atMostMs: number | null } | string {
  const sides = value.toLowerCase().split('..');
  if (sides.length !== 2 || (!sides[0] && !sides[1]))
    return 'is not a range: write FROM..TO with durations such as 1d..7d, ..1d or 30d.. (units m, h, d, w).';
  const ms = sides.map((side): number | null | undefined => {
    if (!side) return null;
    const m = /^(\d{1,6})([mhdw])$/.exec(side);
    return m ? Number(m[1]) * DURATION_UNITS_MS[m[2]!]! : undefined;
  });
  const [overMs, atMostMs] = ms;
  if (overMs === undefined || atMostMs === undefined)
    return 'has a duration that is not a number and a unit m, h, d or w (like 7d).';
  if (overMs !== null && atMostMs !== null && overMs >= atMostMs)
    return 'is empty: the first duration must be shorter than the second.';
  return { overMs, atMostMs };
}

// Reads the whole query even past a bad term, so a stored query can still be evaluated by the
// terms it can read (see readStoredQuery) and every problem is known.
function readQuery(query: string): QueryReading {
  const groups: (SearchTerm | null)[][] = [[]];
  const problems: string[] = [];
  let malformed = false;
  let negateNext = false;
  for (const token of tokenize(query)) {
    if (token === 'AND') continue;
    if (token === 'OR') {
      if (groups.at(-1)!.length === 0) {
        problems.push("'OR' must stand between two terms.");
        malformed = true;
      } else groups.push([]);
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
      problems.push(
        `'${token}' searches an unknown field '${field}': use ${SEARCH_FIELDS.map((f) => `${f}:`).join(', ')}.`,
      );
      // A misspelt field was meant to be one of the known ones; a negated term could exclude anything.
      groups.at(-1)!.push(value && !negated ? { field: 'any', value, negated: false } : null);
      continue;
    }
    const problem = valueProblem(token, field as SearchField, value);
    if (problem) {
      problems.push(problem);
      groups.at(-1)!.push(null);
      continue;
    }
    groups.at(-1)!.push({ field: field as SearchField, value, negated });
  }
  if (negateNext) {
    problems.push("'NOT' must come before a term.");
    malformed = true;
  }
  if (groups.length > 1 && groups.at(-1)!.length === 0) {
    problems.push("'OR' must stand between two terms.");
    malformed = true;
  }
  return { groups, problems, malformed };
}

/**
 * Parses the list search: space-separated terms, all of which must match; `OR` between terms
 * starts an alternative; `~term` or `NOT term` negates one. A term is `field:value` (a bare
 * value searches names); values may be quoted, anchored with `^`/`$` and use `*` as wildcard.
 * Throws 422 naming the first term it cannot read, under `field` (the list search's `query`, a
 * policy's `package_query_string`, a webhook's `package_query`).
 */
export function parsePackageQuery(query: string | undefined, field = 'query'): SearchQuery {
  const { groups, problems } = readQuery(query ?? '');
  if (problems.length) throw invalidField(field, problems[0]!);
  return groups[0]!.length === 0 ? [] : (groups as SearchQuery);
}

/** Why a query cannot be read (its first problem), or null when it reads. */
export function queryProblem(query: string): string | null {
  return readQuery(query).problems[0] ?? null;
}

/**
 * Reads a query that was stored earlier and may no longer parse (written before queries were
 * checked on save, or under an older grammar) as the widest search it could have meant: a value
 * under a misspelt field (`nmae:evil`) matches that value in any field; any other term that cannot
 * be read could match anything, so it is left out of its group; and a query whose grouping cannot
 * be read matches every package. Policies evaluate it this way so that a broken query never
 * narrows what they cover; `error` says what is wrong (null when nothing is).
 */
export function readStoredQuery(query: string): { search: SearchQuery; error: string | null } {
  const { groups, problems, malformed } = readQuery(query);
  if (problems.length === 0)
    return { search: groups[0]!.length === 0 ? [] : (groups as SearchQuery), error: null };
  const readable = groups.map((g) => g.filter((t): t is SearchTerm => t !== null));
  // An empty search matches everything: what an alternative left without terms could match.
  const search = malformed || readable.some((g) => g.length === 0) ? [] : readable;
  return { search, error: problems[0]! };
}

function termCondition(t: SearchTerm, now: Date): PackageCondition {
  switch (t.field) {
    case 'any':
      return {
        kind: 'any',
        of: SEARCH_FIELDS.filter((field) => valueProblem(t.value, field, t.value) === null).map((field) =>
          termCondition({ field, value: t.value, negated: false }, now),
        ),
      };
    case 'name':
    case 'filename':
      return { kind: 'text', field: t.field, value: t.value, substring: true };
    case 'version':
    case 'format':
      return { kind: 'text', field: t.field, value: t.value, substring: false };
    case 'tag':
      return { kind: 'tag', value: t.value };
    case 'checksum':
      return { kind: 'checksum', value: t.value };
    case 'status': {
      const key = t.value.toLowerCase().replace(/[\s-]+/g, '_');
      // Parsing has checked the name; an unknown one (a hand-built term) matches nothing.
      return { kind: 'status', status: STATUS_SEARCH_NAMES[key] ?? null };
    }
    case 'policy_violated':
      return { kind: 'policy_violated', value: t.value.toLowerCase() === 'true' };
    case 'scan': {
      const status = SCAN_SEARCH_NAMES[searchKey(t.value)];
      return status ? { kind: 'scan', status } : { kind: 'any', of: [] };
    }
    case 'severity': {
      const key = searchKey(t.value);
      return key in SEVERITY_SEARCH_NAMES
        ? { kind: 'severity', severity: SEVERITY_SEARCH_NAMES[key] ?? null }
        : { kind: 'any', of: [] };
    }
    case 'scan_age': {
      const range = readAgeRange(t.value);
      if (typeof range === 'string') return { kind: 'any', of: [] };
      // Older than A means completed before now − A; at most B old means at or after now − B.
      const ago = (ms: number | null) => (ms === null ? null : new Date(now.getTime() - ms).toISOString());
      return { kind: 'scanned_at', from: ago(range.atMostMs), before: ago(range.overMs) };
    }
    case 'coverage':
      return { kind: 'coverage', gaps: COVERAGE_VALUES[t.value.toLowerCase()] ?? true };
  }
}

/** A search value as the name tables spell it: lower case, spaces and dashes as underscores. */
function searchKey(value: string): string {
  return value.toLowerCase().replace(/[\s-]+/g, '_');
}

/**
 * The store filter of a parsed search (empty, matching every package, when the search is); `now`
 * anchors the scan-age ranges.
 */
export function searchFilter(query: SearchQuery, now: Date): PackageFilter {
  return query.map((group) =>
    group.map((t): PackageCondition =>
      t.negated ? { kind: 'not', of: termCondition(t, now) } : termCondition(t, now),
    ),
  );
}

/** Parses `sort` (comma-separated fields, `-` for descending; default `-date`). */
export function parseSort(sort: string | undefined): { key: PackageSortKey; desc: boolean }[] {
  const fields = (sort ?? '-date')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return fields.map((f) => {
    const desc = f.startsWith('-');
    const name = f.replace(/^[-+]/, '');
    if (!Object.hasOwn(PACKAGE_SORT_COLUMNS, name)) {
      throw invalidField(
        'sort',
        `'${name}' is not sortable: use ${Object.keys(PACKAGE_SORT_COLUMNS).join(', ')}.`,
      );
    }
    return { key: name as PackageSortKey, desc };
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
  const { ids, count } = await listLivePackageIds(
    ctx,
    access.repo.id,
    searchFilter(search, ctx.clock()),
    order,
    window,
  );
  return { items: await loadPackageViews(ctx, ids), count };
}

/**
 * `GET /packages/{owner}/` (Airlock extra): one page of the live packages matching `query` over
 * every repository of the org the caller may read — the packages behind the org-wide counts of
 * the security overview.
 */
export async function listOrgPackages(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  q: PackageListQuery,
  window: { offset: number; size: number },
): Promise<{ items: Package[]; count: number }> {
  const { org, principal } = await resolveOrg(ctx, actor, owner, { manager: false });
  const search = parsePackageQuery(q.query);
  const order = parseSort(q.sort);
  const scope = { orgId: org.id, reader: principal };
  const { ids, count } = await listLivePackageIds(
    ctx,
    scope,
    searchFilter(search, ctx.clock()),
    order,
    window,
  );
  return { items: await loadPackageViews(ctx, ids), count };
}

/**
 * Whether a package could match a stored query, read as {@link readStoredQuery} reads it: a query
 * that no longer parses is evaluated by the terms it can read, and `error` says what is wrong.
 * Reads through `source` (a transaction that is writing the package, for one that must see it).
 */
export async function packageMayMatchQuery(
  ctx: ServiceContext,
  packageId: string,
  query: string,
  source: DbSource = ctx,
): Promise<{ matches: boolean; error: string | null }> {
  const { search, error } = readStoredQuery(query);
  return {
    matches: await packageMatchesFilter(source, packageId, searchFilter(search, ctx.clock())),
    error,
  };
}

/**
 * True when a package matches a webhook's `package_query`; an empty query matches all. A stored
 * query that no longer parses matches nothing (its webhook is skipped, never widened to every
 * package) and is logged; it never throws, so one bad webhook cannot hold up the others.
 * Reads through `source`, as {@link packageMayMatchQuery} does.
 */
export async function packageMatchesQuery(
  ctx: ServiceContext,
  packageId: string,
  query: string,
  source: DbSource = ctx,
): Promise<boolean> {
  const problem = queryProblem(query);
  if (problem) {
    ctx.log.warn({ packageId, query, problem }, 'a stored package query cannot be read; it matches nothing');
    return false;
  }
  return (await packageMayMatchQuery(ctx, packageId, query, source)).matches;
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
  const pkg = await findLivePackage(ctx, access.repo.id, identifier, `${owner}/${repoSlug}`);
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
  let pkg = await findLivePackage(ctx, access.repo.id, identifier, `${owner}/${repoSlug}`);
  if (waitFor) {
    await waitFor(pkg.id);
    pkg = await findLivePackage(ctx, access.repo.id, pkg.id, `${owner}/${repoSlug}`);
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
  const pkg = await findLivePackage(ctx, access.repo.id, identifier, `${owner}/${repoSlug}`);
  return listPackageTrail(ctx, actor, access, pkg.id, window);
}
