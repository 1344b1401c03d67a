import type { FirewallMode } from '../../api/upstreams.js';
import type { Actor } from '../domain/access.js';
import { recordAudit } from '../domain/audit.js';
import type { ServiceContext } from '../domain/context.js';
import type { RepoAccess } from '../domain/repos.js';
import { inTransaction, type DbSource } from '../store/source.js';
import { findFirewallMode, saveFirewallMode } from '../store/upstreams.js';

/** The mode of a repository that never set one: blocked versions are left out of what it serves. */
export const DEFAULT_FIREWALL_MODE: FirewallMode = 'hide';

/** A repository's firewall mode. */
export async function firewallMode(db: DbSource, repoId: string): Promise<FirewallMode> {
  return ((await findFirewallMode(db, repoId)) as FirewallMode | undefined) ?? DEFAULT_FIREWALL_MODE;
}

/** Sets a repository's firewall mode (Admin; the scope is resolved by the caller), audited. */
export async function setFirewallMode(
  ctx: ServiceContext,
  actor: Actor,
  access: RepoAccess,
  mode: FirewallMode,
): Promise<FirewallMode> {
  const before = await firewallMode(ctx, access.repo.id);
  const at = ctx.clock();
  await inTransaction(ctx, async (trx) => {
    await saveFirewallMode(trx, access.repo.id, mode, at.toISOString());
    await recordAudit(trx, actor, at, {
      orgId: access.org.id,
      repoId: access.repo.id,
      event: 'repository.upstream_firewall_updated',
      eventKind: 'update',
      object: access.repo.slug,
      objectKind: 'repository',
      objectSlugPerm: access.repo.id,
      context: { changes: { mode: { from: before, to: mode } } },
    });
  });
  return mode;
}
