import {
  DEFAULT_OIDC_AUDIENCE,
  DEFAULT_TOKEN_TTL_SECONDS,
  type ProviderSettings,
  type ProviderSettingsPatchRequest,
  type ProviderSettingsWriteRequest,
} from '../../api/oidc.js';
import { type Actor } from '../domain/access.js';
import { recordAudit } from '../domain/audit.js';
import type { ServiceContext } from '../domain/context.js';
import { notFound } from '../domain/errors.js';
import { newId, slugify } from '../domain/ids.js';
import {
  changeProvider,
  countProviders,
  findProviderRecord,
  insertProvider,
  linkedServiceIds,
  linkedServiceSlugs,
  linkServices,
  listProviderPage,
  providerSlugTaken,
  removeProvider,
  unlinkServices,
  type OidcProviderRecord,
  type ProviderChanges,
} from '../store/oidc.js';
import { inTransaction, type DbSource } from '../store/source.js';
import type { OrgRef } from './lookup.js';
import { claimRuleWarnings } from './claim-rules.js';
import { checkSettings } from './settings-check.js';
import { revokeTokens } from './tokens.js';
import { resolveOrg } from '../domain/repos.js';

/** One page of an organisation's providers. */
export interface ProviderPage {
  items: ProviderSettings[];
  count: number;
}

/** Lists an organisation's trusted providers (org Managers only), oldest first. */
export async function listProviders(
  ctx: ServiceContext,
  actor: Actor,
  orgSlug: string,
  window: { offset: number; size: number },
): Promise<ProviderPage> {
  const { org } = await resolveOrg(ctx, actor, orgSlug, { manager: true });
  const count = await countProviders(ctx, org.id);
  const rows = await listProviderPage(ctx, org.id, window);
  return { items: await toWire(ctx, rows), count };
}

/** One provider of an organisation (org Managers only). */
export async function getProvider(
  ctx: ServiceContext,
  actor: Actor,
  orgSlug: string,
  slugPerm: string,
): Promise<ProviderSettings> {
  const { org } = await resolveOrg(ctx, actor, orgSlug, { manager: true });
  const [wire] = await toWire(ctx, [await requireProvider(ctx, org, slugPerm)]);
  return wire!;
}

/** Creates a trusted provider; audience and token lifetime take their defaults when left out. */
export async function createProvider(
  ctx: ServiceContext,
  actor: Actor,
  orgSlug: string,
  input: ProviderSettingsWriteRequest,
): Promise<ProviderSettings> {
  const { org, principal } = await resolveOrg(ctx, actor, orgSlug, { manager: true });
  const serviceIds = await checkSettings(ctx, org, input);
  const now = ctx.clock().toISOString();
  const row: OidcProviderRecord & { claims: Record<string, string> } = {
    id: newId(),
    org_id: org.id,
    slug: await freeSlug(ctx, org.id, input.name),
    name: input.name.trim(),
    enabled: input.enabled ? 1 : 0,
    provider_url: input.provider_url.trim(),
    audience: input.audience ?? DEFAULT_OIDC_AUDIENCE,
    claims: input.claims,
    token_ttl_seconds: input.token_ttl_seconds ?? DEFAULT_TOKEN_TTL_SECONDS,
    created_at: now,
    created_by: principal.serviceId,
    updated_at: now,
  };
  await inTransaction(ctx, async (tx) => {
    await insertProvider(tx, row);
    await linkServices(tx, row.id, serviceIds!);
    await recordAudit(tx, actor, new Date(now), {
      orgId: org.id,
      event: 'oidc.provider_created',
      eventKind: 'create',
      object: row.name,
      objectKind: 'oidc_provider',
      objectSlugPerm: row.id,
      context: {
        provider_url: row.provider_url,
        enabled: input.enabled,
        service_accounts: input.service_accounts,
      },
    });
  });
  return getProvider(ctx, actor, orgSlug, row.id);
}

/**
 * Changes a provider: `replace` (PUT) sets every writable field, defaults included; otherwise
 * (PATCH) only the fields sent. Only the fields sent are checked, so a provider whose URL a
 * later configuration would refuse can still be renamed or disabled.
 */
export async function updateProvider(
  ctx: ServiceContext,
  actor: Actor,
  orgSlug: string,
  slugPerm: string,
  input: ProviderSettingsPatchRequest,
  replace: boolean,
): Promise<ProviderSettings> {
  const { org } = await resolveOrg(ctx, actor, orgSlug, { manager: true });
  const existing = await requireProvider(ctx, org, slugPerm);
  const patch: ProviderSettingsPatchRequest = replace
    ? {
        ...input,
        audience: input.audience ?? DEFAULT_OIDC_AUDIENCE,
        token_ttl_seconds: input.token_ttl_seconds ?? DEFAULT_TOKEN_TTL_SECONDS,
      }
    : input;
  const serviceIds = await checkSettings(ctx, org, patch);
  const now = ctx.clock().toISOString();
  const changes: ProviderChanges = { updated_at: now };
  if (patch.name !== undefined) changes.name = patch.name.trim();
  if (patch.enabled !== undefined) changes.enabled = patch.enabled ? 1 : 0;
  if (patch.provider_url !== undefined) changes.provider_url = patch.provider_url.trim();
  if (patch.claims !== undefined) changes.claims = patch.claims;
  if (patch.audience !== undefined) changes.audience = patch.audience;
  if (patch.token_ttl_seconds !== undefined) changes.token_ttl_seconds = patch.token_ttl_seconds;
  const changed = Object.keys(patch).filter((k) => !['mapping_claim', 'dynamic_mappings'].includes(k));
  await inTransaction(ctx, async (tx) => {
    await changeProvider(tx, existing.id, changes);
    // Tokens lose their trust for good: re-enabling or re-attaching must not bring them back.
    if (changes.enabled === 0) {
      await revokeTokens(tx, actor, new Date(now), {
        providerId: existing.id,
        reason: 'provider disabled',
      });
    }
    if (serviceIds) {
      const before = await linkedServiceIds(tx, existing.id);
      const detached = before.filter((id) => !serviceIds.includes(id));
      await revokeTokens(tx, actor, new Date(now), {
        providerId: existing.id,
        serviceIds: detached,
        reason: 'service account detached from the provider',
      });
      await unlinkServices(tx, existing.id);
      await linkServices(tx, existing.id, serviceIds);
    }
    await recordAudit(tx, actor, new Date(now), {
      orgId: org.id,
      event: 'oidc.provider_updated',
      eventKind: 'update',
      object: changes.name ?? existing.name,
      objectKind: 'oidc_provider',
      objectSlugPerm: existing.id,
      context: {
        fields: changed,
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.provider_url !== undefined ? { provider_url: changes.provider_url } : {}),
        ...(patch.service_accounts !== undefined ? { service_accounts: patch.service_accounts } : {}),
      },
    });
  });
  return getProvider(ctx, actor, orgSlug, existing.id);
}

/** Deletes a provider; the tokens exchanged under it go with it and stop working at once. */
export async function deleteProvider(
  ctx: ServiceContext,
  actor: Actor,
  orgSlug: string,
  slugPerm: string,
): Promise<void> {
  const { org } = await resolveOrg(ctx, actor, orgSlug, { manager: true });
  const existing = await requireProvider(ctx, org, slugPerm);
  const now = ctx.clock();
  await inTransaction(ctx, async (tx) => {
    await removeProvider(tx, existing.id);
    await recordAudit(tx, actor, now, {
      orgId: org.id,
      event: 'oidc.provider_deleted',
      eventKind: 'delete',
      object: existing.name,
      objectKind: 'oidc_provider',
      objectSlugPerm: existing.id,
      context: { provider_url: existing.provider_url },
    });
  });
}

async function requireProvider(source: DbSource, org: OrgRef, slugPerm: string): Promise<OidcProviderRecord> {
  const row = await findProviderRecord(source, org.id, slugPerm);
  if (!row) throw notFound(`OIDC provider settings '${slugPerm}' in organisation '${org.slug}'`);
  return row;
}

async function freeSlug(source: DbSource, orgId: string, name: string): Promise<string> {
  const base = slugify(name, 40);
  for (let candidate = base; ; candidate = `${base}-${newId(6).toLowerCase()}`) {
    if (!(await providerSlugTaken(source, orgId, candidate))) return candidate;
  }
}

/** Said of a provider whose stored claim rules cannot be read (changed by hand): it accepts no token. */
const UNREADABLE_RULES =
  'The stored claim rules cannot be read; this provider accepts no token until they are set again.';

async function toWire(source: DbSource, rows: OidcProviderRecord[]): Promise<ProviderSettings[]> {
  const links = await linkedServiceSlugs(
    source,
    rows.map((r) => r.id),
  );
  return rows.map((r) => {
    const claims = r.claims ?? {};
    return {
      name: r.name,
      enabled: r.enabled === 1,
      provider_url: r.provider_url,
      claims,
      service_accounts: links.filter((l) => l.provider_id === r.id).map((l) => l.slug),
      audience: r.audience,
      token_ttl_seconds: r.token_ttl_seconds,
      slug: r.slug,
      slug_perm: r.id,
      created_at: r.created_at,
      updated_at: r.updated_at,
      // Shown on every read, not only the save, so a rule saved before it was warned about is seen.
      warnings: r.claims === null ? [UNREADABLE_RULES] : claimRuleWarnings(claims),
    };
  });
}
