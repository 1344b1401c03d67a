// Request schemas carry no `default`s: the service applies defaults itself, so a PATCH body is never filled in.
import type { Static, TObject } from 'typebox';
import { Type } from './type.js';

/** Severity levels a vulnerability policy can name, weakest first. */
export const POLICY_SEVERITIES = ['Low', 'Medium', 'High', 'Critical'] as const;

const Common = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  // Null is accepted as "none" wherever a client sends unset optional text as null.
  description: Type.Optional(Type.Union([Type.String({ maxLength: 250 }), Type.Null()])),
  package_query_string: Type.Optional(
    Type.Union([
      Type.String({ maxLength: 1024, description: 'Only packages matching this search.' }),
      Type.Null(),
    ]),
  ),
};

/** `/orgs/{org}/vulnerability-policy/` body. */
export const VulnerabilityPolicyRequest = Type.Object({
  ...Common,
  min_severity: Type.Optional(Type.Union(POLICY_SEVERITIES.map((s) => Type.Literal(s)))),
  on_violation_quarantine: Type.Optional(Type.Boolean()),
  allow_unknown_severity: Type.Optional(Type.Boolean()),
});

/** `/orgs/{org}/license-policy/` body. */
export const LicensePolicyRequest = Type.Object({
  ...Common,
  spdx_identifiers: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    description: 'Denied SPDX license ids.',
  }),
  allow_unknown_licenses: Type.Optional(Type.Boolean()),
  on_violation_quarantine: Type.Optional(Type.Boolean()),
});

/** `/orgs/{org}/deny-policy/` body. */
export const DenyPolicyRequest = Type.Object({
  ...Common,
  package_query_string: Type.String({
    minLength: 1,
    maxLength: 1024,
    description: 'Packages whose downloads are blocked.',
  }),
  enabled: Type.Optional(Type.Boolean()),
});

const ReadOnly = {
  slug_perm: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
  query_error: Type.Union([Type.String(), Type.Null()], {
    description:
      'Why the stored package_query_string cannot be read (the policy then covers every package it could match), or null.',
  }),
};

/** Vulnerability policy on the wire. */
export const VulnerabilityPolicy = Type.Object({
  ...ReadOnly,
  name: Type.String(),
  description: Type.String(),
  package_query_string: Type.String(),
  min_severity: Type.String(),
  on_violation_quarantine: Type.Boolean(),
  allow_unknown_severity: Type.Boolean(),
});
/** License policy on the wire. */
export const LicensePolicy = Type.Object({
  ...ReadOnly,
  name: Type.String(),
  description: Type.String(),
  package_query_string: Type.String(),
  spdx_identifiers: Type.Array(Type.String()),
  allow_unknown_licenses: Type.Boolean(),
  on_violation_quarantine: Type.Boolean(),
});
/** Deny policy on the wire. */
export const DenyPolicy = Type.Object({
  ...ReadOnly,
  name: Type.String(),
  description: Type.String(),
  package_query_string: Type.String(),
  enabled: Type.Boolean(),
  action: Type.Literal('Block downloads'),
  status: Type.String(),
});

/** One recorded violation. */
export const PolicyViolation = Type.Object({
  package: Type.Object({
    identifier: Type.String(),
    name: Type.String(),
    version: Type.String(),
    url: Type.String(),
  }),
  policy: Type.Object({ slug_perm: Type.String(), name: Type.String() }),
  reasons: Type.Array(Type.String()),
  event_at: Type.String(),
});

/** The three policy kinds with their wire schemas. */
export const POLICY_KINDS = {
  vulnerability: {
    path: 'vulnerability-policy',
    request: VulnerabilityPolicyRequest,
    response: VulnerabilityPolicy,
  },
  license: { path: 'license-policy', request: LicensePolicyRequest, response: LicensePolicy },
  deny: { path: 'deny-policy', request: DenyPolicyRequest, response: DenyPolicy },
} satisfies Record<string, { path: string; request: TObject; response: TObject }>;

/** A policy kind. */
export type PolicyKind = keyof typeof POLICY_KINDS;
/** Parsed request bodies. */
export type VulnerabilityPolicyRequest = Static<typeof VulnerabilityPolicyRequest>;
export type LicensePolicyRequest = Static<typeof LicensePolicyRequest>;
export type DenyPolicyRequest = Static<typeof DenyPolicyRequest>;
