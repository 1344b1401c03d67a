import type { Static } from 'typebox';
import type { PolicyKind, PolicyViolation } from '../../api/policies.js';
import { listViolations } from '../store/policy-violations.js';
import type { Actor } from './access.js';
import type { ServiceContext } from './context.js';
import type { OrgRow } from './repos.js';

/**
 * One page of an organisation's recorded violations of one policy kind, newest first, with the
 * total. A member sees violations only in the repositories it may read.
 */
export async function listPolicyViolations(
  ctx: ServiceContext,
  actor: Actor,
  org: OrgRow,
  kind: PolicyKind,
  window: { offset: number; size: number },
): Promise<{ items: Static<typeof PolicyViolation>[]; count: number }> {
  const { rows, count } = await listViolations(ctx, org.id, kind, actor.principal, window);
  const items = rows.map((r) => ({
    package: {
      identifier: r.package_id,
      name: r.name,
      version: r.version,
      url: `${ctx.baseUrl}/packages/${org.slug}/${r.repo_slug}/${r.package_id}/`,
    },
    policy: { slug_perm: r.policy_id, name: r.policy_name ?? '(deleted policy)' },
    reasons: r.reasons,
    event_at: r.event_at,
  }));
  return { items, count };
}
