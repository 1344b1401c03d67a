import type { OidcTokenInfo } from '../../api/oidc.js';
import { requirePrincipal, type Actor } from '../domain/access.js';
import { recordAudit } from '../domain/audit.js';
import type { ServiceContext } from '../domain/context.js';
import { notFound } from '../domain/errors.js';
import { resolveOrg } from '../domain/repos.js';
import { countTokens, findOrgToken, listTokenPage, markTokenRevoked } from '../store/oidc.js';
import { inTransaction } from '../store/source.js';

/** Lists an organisation's exchanged tokens, newest first (org Managers only; never the secrets). */
export async function listTokens(
  ctx: ServiceContext,
  actor: Actor,
  orgSlug: string,
  window: { offset: number; size: number },
): Promise<{ items: OidcTokenInfo[]; count: number }> {
  const { org } = await resolveOrg(ctx, actor, orgSlug, { manager: true });
  const count = await countTokens(ctx, org.id);
  const rows = await listTokenPage(ctx, org.id, window);
  return {
    count,
    items: rows.map((r) => ({
      slug_perm: r.id,
      service: r.slug,
      provider: r.provider_id,
      identity: r.identity as OidcTokenInfo['identity'],
      created_at: r.created_at,
      expires_at: r.expires_at,
      revoked_at: r.revoked_at,
    })),
  };
}

/**
 * Revokes an exchanged token: an org Manager may revoke any of the org's tokens, and a token may
 * revoke itself (a job that is done with it). Revoking a revoked token changes nothing.
 */
export async function revokeToken(
  ctx: ServiceContext,
  actor: Actor,
  orgSlug: string,
  tokenId: string,
): Promise<void> {
  // A token may revoke itself; anything else needs the org's Manager.
  const principal = requirePrincipal(actor);
  const { org } = await resolveOrg(ctx, actor, orgSlug, { manager: principal.tokenId !== tokenId });
  const row = await findOrgToken(ctx, org.id, tokenId);
  if (!row) throw notFound(`Token '${tokenId}' in organisation '${org.slug}'`);
  if (row.revoked_at) return;
  const now = ctx.clock();
  await inTransaction(ctx, async (tx) => {
    // Revoked by a concurrent request meanwhile: that one records the event.
    if (!(await markTokenRevoked(tx, row.id, now.toISOString()))) return;
    await recordAudit(tx, actor, now, {
      orgId: org.id,
      event: 'oidc.token_revoked',
      eventKind: 'delete',
      object: row.slug,
      objectKind: 'oidc_token',
      objectSlugPerm: row.id,
      context: { subject: row.subject },
    });
  });
}
