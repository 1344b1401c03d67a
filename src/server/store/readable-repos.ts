/**
 * Which repositories a caller may read, as a subquery other queries filter by: the one place
 * that rule is written in SQL, so listings, trails and violations agree on it.
 */

import type { Db } from './db.js';

/** The caller fields read access depends on; null for an anonymous caller. */
export type Reader = { orgId: string; role: 'Manager' | 'Member'; serviceId: string } | null;

/**
 * The ids of the org's repositories a reader may read: every one for an org Manager; for a
 * member, Public ones and those granted to it or its teams; for anyone else (anonymous, another
 * org), Public ones only. Deleted repositories are included: callers filter on what they join.
 */
export function readableRepoIds(db: Db, reader: Reader, orgId: string) {
  const repos = db.selectFrom('repos').select('repos.id').where('repos.org_id', '=', orgId);
  if (!reader || reader.orgId !== orgId) return repos.where('repos.repository_type', '=', 'Public');
  if (reader.role === 'Manager') return repos;
  return repos.where((eb) => {
    const teams = eb.selectFrom('team_members').select('team_id').where('service_id', '=', reader.serviceId);
    const granted = eb
      .selectFrom('repo_privileges')
      .select('repo_id')
      .where((g) =>
        g.or([
          g.and([g('principal_kind', '=', 'service'), g('principal_id', '=', reader.serviceId)]),
          g.and([g('principal_kind', '=', 'team'), g('principal_id', 'in', teams)]),
        ]),
      );
    return eb.or([eb('repos.repository_type', '=', 'Public'), eb('repos.id', 'in', granted)]);
  });
}
