import type { Static } from 'typebox';
import { Type } from './type.js';

const Count = (description: string) => Type.Integer({ minimum: 0, description });
const NullableString = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

/**
 * The security scanning overview of an organisation or one repository (Airlock extra): what was
 * scanned, how long ago, what passed the policies and the worst severity found. Each count has a
 * package search (`queries`) that lists the packages behind it.
 */
export const SecurityOverview = Type.Object({
  org: Type.String(),
  repository: NullableString('The repository slug, or null for the whole organisation.'),
  packages: Count('Live packages the caller may read.'),
  scan: Type.Object({
    scanned: Count('Scanned: vulnerabilities found or none found.'),
    awaiting: Count('Waiting for a scan, or being scanned.'),
    not_scanned: Count('Not scanned: the scan failed, or the format is not supported.'),
  }),
  policy: Type.Object({
    pass: Count('Scanned, flagged by no policy and not quarantined.'),
    fail: Count('Flagged by a policy, or quarantined.'),
    quarantined: Count('Quarantined.'),
  }),
  severity: Type.Object(
    {
      Critical: Count('Latest scan found a Critical vulnerability.'),
      High: Count('Highest found: High.'),
      Medium: Count('Highest found: Medium.'),
      Low: Count('Highest found: Low.'),
      Unknown: Count('Highest found: of unknown severity.'),
      None: Count('Latest scan found no vulnerability.'),
    },
    { description: 'Scanned packages by the highest severity their latest scan found.' },
  ),
  age: Type.Object({
    oldest_scan_at: NullableString('When the least recently scanned package was last scanned.'),
    day: Count('Last scanned within a day.'),
    week: Count('Within a week (and not a day).'),
    month: Count('Within 30 days (and not a week).'),
    older: Count('More than 30 days ago.'),
  }),
  coverage: Type.Object({
    with_gaps: Count(
      'Latest scan left components it could not check (no advisory data, unreadable version, a limit).',
    ),
  }),
  advisories: Type.Array(
    Type.Object({
      ecosystem: Type.String(),
      advisories: Count('Advisories held.'),
      updated_at: NullableString('Last refresh; null when never.'),
      age_seconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    }),
  ),
  queries: Type.Record(Type.String(), Type.String(), {
    description:
      'For each count above (scanned, awaiting, not_scanned, pass, fail, quarantined, Critical, …, None, the scan-age buckets day, week, month, older, and with_gaps), the package search that lists those packages.',
  }),
});
/** The security scanning overview. */
export type SecurityOverview = Static<typeof SecurityOverview>;
