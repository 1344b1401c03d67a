import type { ProviderSettingsPatchRequest } from '../../api/oidc.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError, type FieldErrors } from '../domain/errors.js';
import { checkClaimRules } from './claim-rules.js';
import { checkOutboundUrl } from '../net/url-check.js';
import { issuerUrlProblem } from './issuer-url.js';
import type { OrgRef } from './lookup.js';
import { issuerPolicy } from './service.js';
import { findServicesBySlug } from '../store/oidc.js';

/**
 * Checks the provider-settings fields that are present and reports every problem at once as one
 * 422 naming each field (and each bad claim); then refuses (`outbound_address_refused`) an issuer
 * whose host is, or already resolves to, an address issuer fetches may not reach. Returns the ids
 * of the named service accounts, or undefined when `service_accounts` was not sent.
 */
export async function checkSettings(
  ctx: ServiceContext,
  org: OrgRef,
  input: ProviderSettingsPatchRequest,
): Promise<string[] | undefined> {
  const fields: FieldErrors = {};
  const add = (field: string, message: string): void => {
    (fields[field] ??= []).push(message);
  };
  if (input.name !== undefined && input.name.trim() === '') add('name', 'The name must not be blank.');
  if (input.provider_url !== undefined) {
    const problem = issuerUrlProblem(input.provider_url.trim(), ctx.config.allowLoopbackIssuers);
    if (problem) add('provider_url', `The issuer URL ${problem}`);
  }
  if (input.claims !== undefined) {
    for (const [claim, message] of Object.entries(checkClaimRules(input.claims))) {
      add(claim === 'claims' ? 'claims' : `claims.${claim}`, message);
    }
  }
  if (input.mapping_claim) add('mapping_claim', 'Dynamic mappings are not supported; use service_accounts.');
  if (input.dynamic_mappings && input.dynamic_mappings.length > 0) {
    add('dynamic_mappings', 'Dynamic mappings are not supported; use service_accounts.');
  }
  let serviceIds: string[] | undefined;
  if (input.service_accounts !== undefined) {
    const slugs = [...new Set(input.service_accounts)];
    const rows = await findServicesBySlug(ctx, org.id, slugs);
    const unknown = slugs.filter((s) => !rows.some((r) => r.slug === s));
    for (const slug of unknown) {
      add('service_accounts', `Organisation '${org.slug}' has no service account '${slug}'.`);
    }
    serviceIds = rows.map((r) => r.id);
  }
  if (Object.keys(fields).length > 0) {
    const summary = Object.entries(fields)
      .map(([k, v]) => `${k}: ${v.join(' ')}`)
      .join('; ');
    throw new ServiceError('validation_failed', `Invalid OIDC provider settings: ${summary}`, fields);
  }
  if (input.provider_url !== undefined) {
    await checkOutboundUrl(issuerPolicy(ctx), 'provider_url', input.provider_url.trim());
  }
  return serviceIds;
}
