import type { SecurityOverview } from '../../api/security-overview.js';
import { SEVERITIES } from '../../api/vulnerabilities.js';
import { listFeedStatus } from '../scan/advisories/feeds.js';
import { securityOverviewGroups } from '../store/security-overview.js';
import type { Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { resolveOrg, resolveRepo } from './repos.js';

const DAY_MS = 86_400_000;

const SCANNED = ['Scan Detected Vulnerabilities', 'Scan Detected No Vulnerabilities'];
const AWAITING = ['Awaiting Security Scan', 'Security Scanning in Progress'];

/** The package search behind each count of the overview, in the list search's language. */
export const OVERVIEW_QUERIES: Record<string, string> = {
  scanned: 'scan:vulnerable OR scan:clean',
  awaiting: 'scan:awaiting OR scan:in_progress',
  not_scanned: 'scan:failed OR scan:not_supported OR scan:disabled OR scan:skipped',
  pass: 'scan:vulnerable ~policy_violated:true ~status:quarantined OR scan:clean ~policy_violated:true ~status:quarantined',
  fail: 'policy_violated:true OR status:quarantined',
  quarantined: 'status:quarantined',
  ...Object.fromEntries(SEVERITIES.map((s) => [s, `severity:${s.toLowerCase()}`])),
  None: 'severity:none',
  // The scan-age buckets, with the same bounds the overview counts them by (age ≤ 1 day, …).
  day: 'scan_age:..1d',
  week: 'scan_age:1d..7d',
  month: 'scan_age:7d..30d',
  older: 'scan_age:30d..',
  with_gaps: 'coverage:gaps',
};

/**
 * The security scanning overview of an org (`repo` null: the repositories the caller may read)
 * or of one repository (Read on it): counts by scan state, policy outcome, highest severity,
 * scan age and coverage, with the age of the advisory data per ecosystem.
 */
export async function securityOverview(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string | null,
): Promise<SecurityOverview> {
  let orgId: string;
  let repoId: string | null = null;
  if (repo === null) orgId = (await resolveOrg(ctx, actor, owner, { manager: false })).org.id;
  else {
    const access = await resolveRepo(ctx, actor, owner, repo, 'Read');
    orgId = access.org.id;
    repoId = access.repo.id;
  }
  const now = ctx.clock();
  const ago = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();
  const groups = await securityOverviewGroups(ctx, actor.principal, orgId, repoId, {
    day: ago(1),
    week: ago(7),
    month: ago(30),
  });
  const view: SecurityOverview = {
    org: owner,
    repository: repo,
    packages: 0,
    scan: { scanned: 0, awaiting: 0, not_scanned: 0 },
    policy: { pass: 0, fail: 0, quarantined: 0 },
    severity: { Critical: 0, High: 0, Medium: 0, Low: 0, Unknown: 0, None: 0 },
    age: { oldest_scan_at: null, day: 0, week: 0, month: 0, older: 0 },
    coverage: { with_gaps: 0 },
    advisories: [],
    queries: OVERVIEW_QUERIES,
  };
  for (const g of groups) {
    view.packages += g.count;
    const scanned = SCANNED.includes(g.scanStatus);
    if (scanned) view.scan.scanned += g.count;
    else if (AWAITING.includes(g.scanStatus)) view.scan.awaiting += g.count;
    else view.scan.not_scanned += g.count;
    if (g.quarantined) view.policy.quarantined += g.count;
    if (g.quarantined || g.policyViolated) view.policy.fail += g.count;
    else if (scanned) view.policy.pass += g.count;
    if (scanned) {
      const key = (g.maxSeverity ?? 'None') as keyof SecurityOverview['severity'];
      if (key in view.severity) view.severity[key] += g.count;
    }
    if (g.age !== 'none') view.age[g.age] += g.count;
    if (g.oldestScanAt && (!view.age.oldest_scan_at || g.oldestScanAt < view.age.oldest_scan_at))
      view.age.oldest_scan_at = g.oldestScanAt;
    if (g.notEvaluated) view.coverage.with_gaps += g.count;
  }
  view.advisories = (await listFeedStatus(ctx, now)).map((f) => ({
    ecosystem: f.ecosystem,
    advisories: f.advisories,
    updated_at: f.updated_at,
    age_seconds: f.age_seconds,
  }));
  return view;
}
