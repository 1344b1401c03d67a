import type { VulnerabilityScan } from '../../api/vulnerabilities.js';
import { SEVERITIES } from '../../api/vulnerabilities.js';
import { checkLicense } from '../../policy/licenses.js';
import type { ServiceContext } from '../domain/context.js';
import { SYSTEM_ACTOR } from '../domain/access.js';
import { recordAudit } from '../domain/audit.js';
import { newId } from '../domain/ids.js';
import { packageMayMatchQuery, queryProblem } from '../domain/package-query.js';
import {
  findPolicyTarget,
  listPolicyRecords,
  recordPolicyOutcome,
  type NewViolation,
} from '../store/policies.js';
import type { Db } from '../store/db.js';
import { inTransaction, type DbSource } from '../store/source.js';

/**
 * Tells whether a package matches a search query (empty query: always), reading through `source`
 * (the transaction the evaluation runs in, so that it sees the scan being recorded).
 */
export type PackageQueryMatcher = (
  ctx: ServiceContext,
  packageId: string,
  query: string,
  source: DbSource,
) => Promise<boolean>;

interface VulnerabilitySettings {
  min_severity: 'Low' | 'Medium' | 'High' | 'Critical';
  on_violation_quarantine: boolean;
  allow_unknown_severity: boolean;
}
interface LicenseSettings {
  spdx_identifiers: string[];
  allow_unknown_licenses: boolean;
  on_violation_quarantine: boolean;
}

/** Why a package violates a vulnerability policy, or an empty list. */
export function vulnerabilityReasons(settings: VulnerabilitySettings, scans: VulnerabilityScan[]): string[] {
  const threshold = SEVERITIES.indexOf(settings.min_severity);
  const reasons: string[] = [];
  for (const scan of scans) {
    for (const r of scan.results) {
      const unknown = r.severity === 'Unknown';
      if (
        (unknown && !settings.allow_unknown_severity) ||
        (!unknown && SEVERITIES.indexOf(r.severity) >= threshold)
      ) {
        reasons.push(
          `${r.vulnerability_id} (${r.severity}) in ${r.package_name} ${r.affected_version.raw_version}`,
        );
      }
    }
  }
  return [...new Set(reasons)];
}

/** Why a package violates a license policy, or an empty list. */
export function licenseReasons(settings: LicenseSettings, license: string): string[] {
  const check = checkLicense(
    license,
    settings.spdx_identifiers.length ? settings.spdx_identifiers : ['NOASSERTION-NONE'],
  );
  if (check.status === 'denied') return [`license ${license} is denied (${check.denied.join(', ')})`];
  if (check.status === 'unknown' && !settings.allow_unknown_licenses) {
    return [
      license ? `license '${license}' is not a known SPDX expression` : 'the package declares no license',
    ];
  }
  return [];
}

/**
 * Whether a policy covers a package. A stored query that no longer parses fails closed: the
 * policy covers every package its readable terms allow, so a typo never exempts packages from it.
 */
async function policyApplies(
  ctx: ServiceContext,
  tx: DbSource,
  matches: PackageQueryMatcher,
  policy: { id: string; package_query_string: string },
  packageId: string,
): Promise<boolean> {
  if (!queryProblem(policy.package_query_string)) {
    return matches(ctx, packageId, policy.package_query_string, tx);
  }
  const outcome = await packageMayMatchQuery(ctx, packageId, policy.package_query_string, tx);
  ctx.log.warn(
    { policy: policy.id, query: policy.package_query_string, error: outcome.error },
    'policy query cannot be read; the policy covers every package it could match',
  );
  return outcome.matches;
}

/**
 * Evaluates the org's vulnerability and license policies against a freshly scanned package in
 * the caller's transaction `tx`, reading and writing only through it: records each violation,
 * marks the package `policy_violated`, and quarantines it when a violated policy says so. The
 * scan records its outcome in the same transaction (see scanPackage), so that no reader sees the
 * scan finished without this verdict, and the policies' queries (`scan:`, `severity:`, …) see
 * the new scan. Returns true when this evaluation quarantined the package.
 */
export async function evaluatePoliciesIn(
  ctx: ServiceContext,
  tx: Db,
  matches: PackageQueryMatcher,
  packageId: string,
  scans: VulnerabilityScan[],
): Promise<boolean> {
  const pkg = await findPolicyTarget(tx, packageId);
  if (!pkg) return false;
  const policies = await listPolicyRecords(tx, pkg.org_id, ['vulnerability', 'license']);
  const violations: (NewViolation & { quarantine: boolean })[] = [];
  for (const p of policies) {
    if (p.package_query_string && !(await policyApplies(ctx, tx, matches, p, packageId))) continue;
    const settings = p.settings as unknown as VulnerabilitySettings & LicenseSettings;
    const reasons =
      p.kind === 'vulnerability'
        ? vulnerabilityReasons(settings, scans)
        : licenseReasons(settings, pkg.license);
    if (reasons.length)
      violations.push({
        id: newId(),
        policyId: p.id,
        kind: p.kind as 'vulnerability' | 'license',
        reasons,
        quarantine: settings.on_violation_quarantine,
      });
  }
  const quarantine = pkg.is_quarantined === 0 && violations.some((v) => v.quarantine);
  const now = ctx.clock().toISOString();
  await recordPolicyOutcome(tx, pkg, violations, now, quarantine ? now : null);
  if (quarantine) {
    await recordAudit(tx, SYSTEM_ACTOR, ctx.clock(), {
      orgId: pkg.org_id,
      repoId: pkg.repo_id,
      event: 'package.quarantined',
      eventKind: 'action',
      object: pkg.name,
      objectKind: 'package',
      objectSlugPerm: pkg.id,
      context: {
        reason: 'policy violation',
        violations: violations.map((v) => ({ policy: v.policyId, reasons: v.reasons })),
      },
    });
  }
  return quarantine;
}

/**
 * {@link evaluatePoliciesIn} in a transaction of its own: what it reads of the package and what
 * it records commit together. Returns true when this evaluation quarantined the package.
 */
export async function evaluatePolicies(
  ctx: ServiceContext,
  matches: PackageQueryMatcher,
  packageId: string,
  scans: VulnerabilityScan[],
): Promise<boolean> {
  return inTransaction(ctx, (tx) => evaluatePoliciesIn(ctx, tx, matches, packageId, scans));
}
