/** Recorded policy violations, as the violation lists read them. */

import type { PolicyKind } from '../../api/policies.js';
import { readableRepoIds, type Reader } from './readable-repos.js';
import { dbOf, type DbSource } from './source.js';

/** A violation with the package, repository and policy it names; `reasons` parsed. */
export interface ViolationRecord {
  policy_id: string;
  /** Sentences saying what was violated (empty when the stored list cannot be read). */
  reasons: string[];
  event_at: string;
  package_id: string;
  name: string;
  version: string;
  repo_slug: string;
  /** Null once the policy has been deleted. */
  policy_name: string | null;
}

function decodeReasons(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}

/**
 * One page of an organisation's violations of one kind, newest first, in the repositories the
 * reader may read, with the total of those.
 */
export async function listViolations(
  src: DbSource,
  orgId: string,
  kind: PolicyKind,
  reader: Reader,
  window: { offset: number; size: number },
): Promise<{ rows: ViolationRecord[]; count: number }> {
  const db = dbOf(src);
  const q = db
    .selectFrom('policy_violations as v')
    .innerJoin('packages as p', 'p.id', 'v.package_id')
    .innerJoin('repos as r', 'r.id', 'p.repo_id')
    .leftJoin('policies as pol', 'pol.id', 'v.policy_id')
    .where('v.org_id', '=', orgId)
    .where('v.kind', '=', kind)
    .where('r.id', 'in', readableRepoIds(db, reader, orgId));
  const { count } = await q.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const rows = await q
    .select([
      'v.policy_id',
      'v.reasons',
      'v.event_at',
      'p.id as package_id',
      'p.name',
      'p.version',
      'r.slug as repo_slug',
      'pol.name as policy_name',
    ])
    .orderBy('v.event_at', 'desc')
    .limit(window.size)
    .offset(window.offset)
    .execute();
  return { rows: rows.map((r) => ({ ...r, reasons: decodeReasons(r.reasons) })), count: Number(count) };
}
