import type { Selectable } from 'kysely';
import type { PoliciesTable } from './schema.js';
import { compiledOnce } from './compiled-once.js';
import { dbOf, type DbSource } from './source.js';

/** The kinds of policy an organisation keeps. */
export type PolicyKindName = PoliciesTable['kind'];

/** A stored policy, its kind's own settings parsed from their JSON column. */
export type PolicyRecord = Omit<Selectable<PoliciesTable>, 'settings'> & {
  settings: Record<string, unknown>;
};

/** A recorded violation of one policy by one package. */
export interface NewViolation {
  id: string;
  policyId: string;
  kind: 'vulnerability' | 'license';
  reasons: string[];
}

/** What a package's policy evaluation reads of it. */
export interface PolicyTarget {
  id: string;
  org_id: string;
  repo_id: string;
  name: string;
  license: string;
  is_quarantined: number;
}

function decode(row: Selectable<PoliciesTable>): PolicyRecord {
  return { ...row, settings: JSON.parse(row.settings) as Record<string, unknown> };
}

function encode(record: PolicyRecord): Selectable<PoliciesTable> {
  return { ...record, settings: JSON.stringify(record.settings) };
}

// Compiled once for the pair of kinds every registry and index read asks for (the firewall's).
const selectFirewallPolicies = compiledOnce((db, p: { orgId: string }) =>
  db
    .selectFrom('policies')
    .selectAll()
    .where('org_id', '=', p.orgId)
    .where('kind', 'in', ['vulnerability', 'deny'])
    .orderBy('created_at'),
);

// Compiled once for one kind: every download asks for the deny policies.
const selectPoliciesOfKind = compiledOnce((db, p: { orgId: string; kind: PolicyKindName }) =>
  db
    .selectFrom('policies')
    .selectAll()
    .where('org_id', '=', p.orgId)
    .where('kind', '=', p.kind)
    .orderBy('created_at'),
);

/** An organisation's vulnerability and deny policies (what can block a download), oldest first. */
export async function listBlockingPolicyRecords(source: DbSource, orgId: string): Promise<PolicyRecord[]> {
  return (await selectFirewallPolicies(source, { orgId })).rows.map(decode);
}

/** An organisation's policies of the given kinds, oldest first. */
export async function listPolicyRecords(
  source: DbSource,
  orgId: string,
  kinds: readonly PolicyKindName[],
): Promise<PolicyRecord[]> {
  if (kinds.length === 1)
    return (await selectPoliciesOfKind(source, { orgId, kind: kinds[0]! })).rows.map(decode);
  const rows = await dbOf(source)
    .selectFrom('policies')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('kind', 'in', kinds)
    .orderBy('created_at')
    .execute();
  return rows.map(decode);
}

/** One policy of a kind by its id, or undefined. */
export async function findPolicyRecord(
  source: DbSource,
  orgId: string,
  kind: PolicyKindName,
  id: string,
): Promise<PolicyRecord | undefined> {
  const row = await dbOf(source)
    .selectFrom('policies')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && decode(row);
}

/** Stores a new policy. */
export async function insertPolicy(source: DbSource, record: PolicyRecord): Promise<void> {
  await dbOf(source).insertInto('policies').values(encode(record)).execute();
}

/** Overwrites every field of a stored policy with `record`'s. */
export async function writePolicy(source: DbSource, record: PolicyRecord): Promise<void> {
  await dbOf(source).updateTable('policies').set(encode(record)).where('id', '=', record.id).execute();
}

/** Deletes a policy (the violations recorded against it stay). */
export async function removePolicy(source: DbSource, id: string): Promise<void> {
  await dbOf(source).deleteFrom('policies').where('id', '=', id).execute();
}

/** What policy evaluation needs of a package, or undefined when there is no such package. */
export async function findPolicyTarget(
  source: DbSource,
  packageId: string,
): Promise<PolicyTarget | undefined> {
  return dbOf(source)
    .selectFrom('packages')
    .select(['id', 'org_id', 'repo_id', 'name', 'license', 'is_quarantined'])
    .where('id', '=', packageId)
    .executeTakeFirst();
}

/**
 * Replaces a package's recorded violations with `violations` and sets its `policy_violated`
 * flag (and, when `quarantineAt` is given, quarantines it as of then). Meant for one transaction.
 */
export async function recordPolicyOutcome(
  source: DbSource,
  pkg: { id: string; org_id: string },
  violations: NewViolation[],
  at: string,
  quarantineAt: string | null,
): Promise<void> {
  await dbOf(source).deleteFrom('policy_violations').where('package_id', '=', pkg.id).execute();
  for (const v of violations) {
    await dbOf(source)
      .insertInto('policy_violations')
      .values({
        id: v.id,
        org_id: pkg.org_id,
        policy_id: v.policyId,
        package_id: pkg.id,
        kind: v.kind,
        reasons: JSON.stringify(v.reasons),
        event_at: at,
      })
      .execute();
  }
  await dbOf(source)
    .updateTable('packages')
    .set({
      policy_violated: violations.length ? 1 : 0,
      ...(quarantineAt !== null ? { is_quarantined: 1, status_updated_at: quarantineAt } : {}),
    })
    .where('id', '=', pkg.id)
    .execute();
}
