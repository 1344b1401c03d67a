import type { Static } from 'typebox';
import { Type } from './type.js';

/** Formats whose repositories can have upstreams. */
export const UPSTREAM_FORMATS = ['npm', 'python'] as const;
/** A format with upstreams. */
export type UpstreamFormat = (typeof UPSTREAM_FORMATS)[number];

/** What a repository does with what an upstream serves. */
export const UPSTREAM_MODES = ['Proxy Only', 'Cache and Proxy'] as const;
/** How an upstream is used. */
export type UpstreamMode = (typeof UPSTREAM_MODES)[number];

/** How the service authenticates to an upstream. */
export const UPSTREAM_AUTH_MODES = ['None', 'Username and Password', 'Token'] as const;
/** An upstream's authentication. */
export type UpstreamAuthMode = (typeof UPSTREAM_AUTH_MODES)[number];

/** What a repository's firewall does with versions a blocking policy forbids. */
export const FIREWALL_MODES = ['hide', 'refuse'] as const;
/** A firewall mode. */
export type FirewallMode = (typeof FIREWALL_MODES)[number];

const ModeField = Type.Union([Type.Literal('Proxy Only'), Type.Literal('Cache and Proxy')]);
const AuthModeField = Type.Union([
  Type.Literal('None'),
  Type.Literal('Username and Password'),
  Type.Literal('Token'),
]);
const FirewallModeField = Type.Union([Type.Literal('hide'), Type.Literal('refuse')]);

const nullableText = (maxLength: number) =>
  Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength })]));

/** `POST /repos/{owner}/{repo}/upstream/{format}/` body; PATCH takes any subset, PUT the whole. */
export const UpstreamRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 64 }),
  upstream_url: Type.String({
    minLength: 1,
    maxLength: 2000,
    description: 'http(s) base URL of the upstream.',
  }),
  mode: Type.Optional(ModeField),
  priority: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 32767, description: 'Lower is asked first (default 1).' }),
  ),
  auth_mode: Type.Optional(AuthModeField),
  auth_username: nullableText(255),
  auth_secret: Type.Optional(
    Type.Union([
      Type.Null(),
      Type.String({ maxLength: 4096, description: 'Password or token; never returned.' }),
    ]),
  ),
  extra_header_1: nullableText(64),
  extra_value_1: nullableText(1024),
  extra_header_2: nullableText(64),
  extra_value_2: nullableText(1024),
  verify_ssl: Type.Optional(Type.Boolean()),
  is_active: Type.Optional(Type.Boolean()),
});
/** Parsed upstream request body. */
export type UpstreamRequest = Static<typeof UpstreamRequest>;

/** PATCH body: any subset of the request's fields. */
export const UpstreamPatch = Type.Partial(UpstreamRequest);
/** Parsed upstream PATCH body. */
export type UpstreamPatch = Static<typeof UpstreamPatch>;

/** An upstream as the API returns it (credentials are never returned). */
export const Upstream = Type.Object({
  slug_perm: Type.String(),
  name: Type.String(),
  upstream_url: Type.String(),
  upstream_type: Type.String({ description: 'The format: npm or python.' }),
  mode: Type.String(),
  priority: Type.Integer(),
  auth_mode: Type.String(),
  auth_username: Type.Union([Type.String(), Type.Null()]),
  has_auth_secret: Type.Boolean(),
  extra_header_1: Type.Union([Type.String(), Type.Null()]),
  extra_value_1: Type.Union([Type.String(), Type.Null()]),
  extra_header_2: Type.Union([Type.String(), Type.Null()]),
  extra_value_2: Type.Union([Type.String(), Type.Null()]),
  verify_ssl: Type.Boolean(),
  is_active: Type.Boolean(),
  available: Type.Boolean(),
  can_reindex: Type.Boolean(),
  disable_reason: Type.String(),
  disable_reason_text: Type.String(),
  has_failed_signature_verification: Type.Boolean(),
  index_package_count: Type.Integer(),
  index_status: Type.String(),
  last_indexed: Type.Union([Type.String(), Type.Null()]),
  pending_validation: Type.Boolean(),
  trust_level: Type.String(),
  upstream_prefix: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  updated_at: Type.String(),
  self_url: Type.String(),
});
/** An upstream on the wire. */
export type Upstream = Static<typeof Upstream>;

/** `/repos/{owner}/{repo}/upstream-firewall/` body and answer. */
export const UpstreamFirewall = Type.Object({
  mode: FirewallModeField,
});
/** A repository's firewall setting. */
export type UpstreamFirewall = Static<typeof UpstreamFirewall>;
