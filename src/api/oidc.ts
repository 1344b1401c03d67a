import type { Static } from 'typebox';
import { Type } from './type.js';

/** Audience a provider expects in `aud` unless it names another. */
export const DEFAULT_OIDC_AUDIENCE = 'airlock';
/** Lifetime of an exchanged token unless the provider names another. */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
/** Shortest lifetime a provider may give its exchanged tokens. */
export const MIN_TOKEN_TTL_SECONDS = 60;
/** Longest lifetime a provider may give its exchanged tokens (one day). */
export const MAX_TOKEN_TTL_SECONDS = 86_400;

const ClaimRules = Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String(), {
  description:
    'Claims every token must carry, with the value it must have. A value ending in `.*` matches ' +
    'any value that starts with what comes before it; `*` is allowed nowhere else. At least one is required.',
});

const writeFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  enabled: Type.Boolean(),
  provider_url: Type.String({
    minLength: 1,
    maxLength: 2000,
    description:
      'The issuer (its `iss`), without `/.well-known/openid-configuration`. `https` only; `http` on ' +
      'loopback addresses when the service runs with --allow-loopback-issuers.',
  }),
  claims: ClaimRules,
  service_accounts: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    maxItems: 100,
    description: "Slugs of this organisation's service accounts a token may be exchanged for.",
  }),
  audience: Type.String({
    minLength: 1,
    maxLength: 500,
    description: `The \`aud\` tokens must carry (default \`${DEFAULT_OIDC_AUDIENCE}\`).`,
  }),
  token_ttl_seconds: Type.Integer({
    minimum: MIN_TOKEN_TTL_SECONDS,
    maximum: MAX_TOKEN_TTL_SECONDS,
    description: `Lifetime of exchanged tokens, ${MIN_TOKEN_TTL_SECONDS} s to ${MAX_TOKEN_TTL_SECONDS} s (default ${DEFAULT_TOKEN_TTL_SECONDS}).`,
  }),
  /** Cloudsmith's dynamic mappings are not supported; sending a non-empty one is refused. */
  mapping_claim: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  dynamic_mappings: Type.Optional(Type.Union([Type.Array(Type.Unknown()), Type.Null()])),
};

/** Body of `POST /orgs/{org}/openid-connect/` and `PUT …/{slug_perm}/`. */
export const ProviderSettingsWriteRequest = Type.Object({
  name: writeFields.name,
  enabled: writeFields.enabled,
  provider_url: writeFields.provider_url,
  claims: writeFields.claims,
  service_accounts: writeFields.service_accounts,
  audience: Type.Optional(writeFields.audience),
  token_ttl_seconds: Type.Optional(writeFields.token_ttl_seconds),
  mapping_claim: writeFields.mapping_claim,
  dynamic_mappings: writeFields.dynamic_mappings,
});
/** A full provider-settings write. */
export type ProviderSettingsWriteRequest = Static<typeof ProviderSettingsWriteRequest>;

/** Body of `PATCH /orgs/{org}/openid-connect/{slug_perm}/`: any subset of the writable fields. */
export const ProviderSettingsPatchRequest = Type.Object({
  name: Type.Optional(writeFields.name),
  enabled: Type.Optional(writeFields.enabled),
  provider_url: Type.Optional(writeFields.provider_url),
  claims: Type.Optional(writeFields.claims),
  service_accounts: Type.Optional(writeFields.service_accounts),
  audience: Type.Optional(writeFields.audience),
  token_ttl_seconds: Type.Optional(writeFields.token_ttl_seconds),
  mapping_claim: writeFields.mapping_claim,
  dynamic_mappings: writeFields.dynamic_mappings,
});
/** A partial provider-settings write. */
export type ProviderSettingsPatchRequest = Static<typeof ProviderSettingsPatchRequest>;

/** A trusted OIDC provider of an organisation, as the API returns it. */
export const ProviderSettings = Type.Object({
  name: Type.String(),
  enabled: Type.Boolean(),
  provider_url: Type.String(),
  claims: Type.Record(Type.String(), Type.String()),
  service_accounts: Type.Array(Type.String()),
  audience: Type.String(),
  token_ttl_seconds: Type.Integer(),
  slug: Type.String(),
  slug_perm: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
  warnings: Type.Array(Type.String(), {
    description:
      "Claim rules that are accepted but likely wider than meant, e.g. a '.*' that does not follow '/' or ':'.",
  }),
});
/** A provider-settings object on the wire. */
export type ProviderSettings = Static<typeof ProviderSettings>;

/** Body of `POST /openid/{org}/`. */
export const OidcExchangeRequest = Type.Object({
  oidc_token: Type.String({
    minLength: 1,
    maxLength: 16_384,
    description: "The CI vendor's ID token (a JWT).",
  }),
  service_slug: Type.String({ minLength: 1, maxLength: 100 }),
});
/** An exchange request. */
export type OidcExchangeRequest = Static<typeof OidcExchangeRequest>;

/** Answer of a successful exchange: a short-lived token usable as `X-Api-Key` or Bearer. */
export const OidcExchangeResponse = Type.Object({
  token: Type.String(),
  token_expires_at: Type.String({ description: 'When the token stops working (ISO 8601, UTC).' }),
});
/** An exchange answer. */
export type OidcExchangeResponse = Static<typeof OidcExchangeResponse>;

/** An exchanged token as `GET /orgs/{org}/openid-connect/tokens/` lists it (never its secret). */
export const OidcTokenInfo = Type.Object({
  slug_perm: Type.String(),
  service: Type.String(),
  provider: Type.String({ description: 'slug_perm of the provider settings it was exchanged under.' }),
  identity: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
  created_at: Type.String(),
  expires_at: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});
/** An exchanged token's metadata on the wire. */
export type OidcTokenInfo = Static<typeof OidcTokenInfo>;
