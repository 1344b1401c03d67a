import { ServiceError } from '../domain/errors.js';
import type { OutboundPolicy } from './address-policy.js';
import { configuredUrlRefusal, systemResolver, type Resolver } from './outbound.js';

/**
 * Refuses a URL being configured (a webhook target, an OIDC issuer) whose host is, or already
 * resolves to, an address the policy refuses: an `outbound_address_refused` error naming the
 * field. A name that does not resolve yet passes; every connection checks it again.
 */
export async function checkOutboundUrl(
  policy: OutboundPolicy,
  field: string,
  url: string,
  resolve: Resolver = systemResolver,
): Promise<void> {
  const refusal = await configuredUrlRefusal(policy, url, resolve);
  if (!refusal) return;
  const message = `The service does not connect to this address: ${refusal.reason}.`;
  throw new ServiceError('outbound_address_refused', `${field}: ${message}`, { [field]: [message] });
}
