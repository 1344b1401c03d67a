import type { OidcTokenInfo } from '../../api/oidc.js';
import { requirePrincipal, type Actor } from '../domain/access.js';
import { recordAudit } from '../domain/audit.js';
import type { ServiceContext } from '../domain/context.js';
import { notFound } from '../domain/errors.js';
import { resolveOrg } from '../domain/repos.js';

/** Lists an organisation's exchanged tokens, newest first (org Managers only; never the secrets). */
export async function listTokens(
  ctx: ServiceContext,
  actor: Actor,
  orgSlug: string,
  window: { offset: number; size: number },
): Promise<{ items: OidcTokenInfo[]; count: number }> {
  const { org } = await resolveOrg(ctx, actor, orgSlug, { manager: true });
  const { count } = await ctx.db
    .selectFrom('oidc_tokens')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('org_id', '=', org.id)
    .executeTakeFirstOrThrow();
  const rows = await ctx.db
    .selectFrom('oidc_tokens as t')
    .innerJoin('services as s', 's.id', 't.service_id')
    .select(['t.id', 's.slug', 't.provider_id', 't.identity', 't.created_at', 't.expires_at', 't.revoked_at'])
    .where('t.org_id', '=', org.id)
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id')
    .limit(window.size)
    .offset(window.offset)
    .execute();
  return {
    count: Number(count),
    items: rows.map((r) => ({
      slug_perm: r.id,
      service: r.slug,
      provider: r.provider_id,
      identity: JSON.parse(r.identity) as OidcTokenInfo['identity'],
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
  const row = await ctx.db
    .selectFrom('oidc_tokens as t')
    .innerJoin('services as s', 's.id', 't.service_id')
    .select(['t.id', 't.revoked_at', 't.subject', 's.slug'])
    .where('t.org_id', '=', org.id)
    .where('t.id', '=', tokenId)
    .executeTakeFirst();
  if (!row) throw notFound(`Token '${tokenId}' in organisation '${org.slug}'`);
  if (row.revoked_at) return;
  const now = ctx.clock();
  await ctx.db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('oidc_tokens')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', row.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    // Revoked by a concurrent request meanwhile: that one records the event.
    if (Number(result.numUpdatedRows) === 0) return;
    await recordAudit(trx, actor, now, {
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
