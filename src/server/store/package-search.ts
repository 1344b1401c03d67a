/**
 * The SQL of a package search. The domain reads a query's text into these conditions (which
 * fields exist, what a status is called); this module only says how each is matched, the same
 * way in SQLite and PostgreSQL.
 */

import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database } from './schema.js';

/** One condition on a package. Text values may be anchored with `^`/`$` and use `*` as wildcard. */
export type PackageCondition =
  /** A text column: `substring` matches anywhere in it, otherwise the whole value. */
  | { kind: 'text'; field: 'name' | 'filename' | 'version' | 'format'; value: string; substring: boolean }
  /** Any of its tags, whole value. */
  | { kind: 'tag'; value: string }
  /** Any checksum of its file (sha256, md5, sha1, sha512). */
  | { kind: 'checksum'; value: string }
  /** Its status number; null matches nothing. */
  | { kind: 'status'; status: number | null }
  | { kind: 'policy_violated'; value: boolean }
  /** Its `security_scan_status` text. */
  | { kind: 'scan'; status: string }
  /** The highest severity its latest scan found; null: the latest scan ran and found none. */
  | { kind: 'severity'; severity: string | null }
  /**
   * When its latest scan completed: at or after `from` and before `before` (ISO times; null leaves
   * that side open), as the security overview's scan-age buckets count it.
   */
  | { kind: 'scanned_at'; from: string | null; before: string | null }
  /** Its latest scan left components it could not check (`gaps`), or left none (`!gaps`). */
  | { kind: 'coverage'; gaps: boolean }
  /** True when any of `of` is (false when `of` is empty). */
  | { kind: 'any'; of: PackageCondition[] }
  | { kind: 'not'; of: PackageCondition };

/** Alternatives (OR) of conditions that must all hold (AND); an empty filter matches every package. */
export type PackageFilter = PackageCondition[][];

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

function conditionSql(eb: PackagesEb, c: PackageCondition): Expression<SqlBool> {
  switch (c.kind) {
    case 'text':
      return textMatch(`packages.${c.field}`, c.value, c.substring);
    case 'tag':
      return eb.exists(
        eb
          .selectFrom('package_tags')
          .select('package_tags.tag')
          .whereRef('package_tags.package_id', '=', 'packages.id')
          .where(() => textMatch('package_tags.tag', c.value, false)),
      );
    case 'checksum': {
      const sum = c.value.toLowerCase();
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
    case 'status':
      return c.status === null ? eb.lit(false) : eb('packages.status', '=', c.status);
    case 'policy_violated':
      return eb('packages.policy_violated', '=', c.value ? 1 : 0);
    case 'scan':
      return eb('packages.security_scan_status', '=', c.status);
    case 'severity':
      return latestScan(eb, (w) =>
        c.severity === null ? w('latest.outcome', '=', 'clean') : w('latest.max_severity', '=', c.severity),
      );
    case 'scanned_at':
      return latestScan(eb, (w) =>
        w.and([
          ...(c.from === null ? [] : [w('latest.completed_at', '>=', c.from)]),
          ...(c.before === null ? [] : [w('latest.completed_at', '<', c.before)]),
        ]),
      );
    case 'coverage':
      return latestScan(eb, (w) => w('latest.num_components_not_evaluated', c.gaps ? '>' : '=', 0));
    case 'any':
      return eb.or(c.of.map((o) => conditionSql(eb, o)));
    case 'not':
      return eb.not(conditionSql(eb, c.of));
  }
}

type LatestScanEb = ExpressionBuilder<Database & { latest: Database['scans'] }, 'packages' | 'latest'>;

/** True when the package's latest scan (the highest `seq`) satisfies `where`; false without a scan. */
function latestScan(eb: PackagesEb, where: (w: LatestScanEb) => Expression<SqlBool>): Expression<SqlBool> {
  return eb.exists(
    eb
      .selectFrom('scans as latest')
      .select('latest.seq')
      .whereRef('latest.package_id', '=', 'packages.id')
      .where('latest.seq', '=', (s) =>
        s
          .selectFrom('scans as later')
          .select((m) => m.fn.max('later.seq').as('seq'))
          .whereRef('later.package_id', '=', 'packages.id'),
      )
      .where(where),
  );
}

/** The SQL condition of a filter (true when it is empty). */
export function filterSql(eb: PackagesEb, filter: PackageFilter): Expression<SqlBool> {
  if (filter.length === 0) return eb.lit(true);
  return eb.or(filter.map((group) => eb.and(group.map((c) => conditionSql(eb, c)))));
}

/** The orders a package listing can be sorted in, and the column each sorts by. */
export const PACKAGE_SORT_COLUMNS = {
  date: 'packages.uploaded_at',
  name: 'packages.name_key',
  version: 'packages.version',
  format: 'packages.format',
  size: 'packages.size',
  filename: 'packages.filename',
  status: 'packages.status',
} as const;

/** A name a package listing can be sorted by. */
export type PackageSortKey = keyof typeof PACKAGE_SORT_COLUMNS;
