import type { Static } from 'typebox';
import { Type } from './type.js';

/**
 * Severity levels of the scan-results API, lowest first, spelled as the Cloudsmith v1 API spells
 * them (Trivy's levels, capitalised).
 */
export const SEVERITIES = ['Unknown', 'Low', 'Medium', 'High', 'Critical'] as const;

/** One of {@link SEVERITIES}. */
export const Severity = Type.Union(
  [
    Type.Literal('Unknown'),
    Type.Literal('Low'),
    Type.Literal('Medium'),
    Type.Literal('High'),
    Type.Literal('Critical'),
  ],
  { description: 'Severity: Unknown, Low, Medium, High or Critical.' },
);
/** A severity as sent on the wire. */
export type Severity = Static<typeof Severity>;

/**
 * A version as the scanner understood it (`affected_version`, `fixed_version`). `version` is the
 * normalised form, `raw_version` the text exactly as found; `major`/`minor`/`patch` are filled in
 * when the version has numeric leading parts and are null otherwise.
 */
export const VulnerabilityVersion = Type.Object({
  major: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
    description: 'First numeric part of the version, or null when it has none.',
  }),
  minor: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
    description: 'Second numeric part of the version, or null.',
  }),
  patch: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
    description: 'Third numeric part of the version, or null.',
  }),
  operator: Type.Union([Type.String(), Type.Null()], {
    description:
      'Comparison the version takes part in, such as `=` for an installed version or `>=` for the first fixed one; null when none applies.',
  }),
  version: Type.String({ description: 'Normalised version text (ecosystem rules), e.g. `4.17.20`.' }),
  raw_version: Type.String({ description: 'The version exactly as found in the artifact or advisory.' }),
});
/** A version on the wire. */
export type VulnerabilityVersion = Static<typeof VulnerabilityVersion>;

/**
 * CVSS data from one source (`nvd`, `ghsa`, `osv`, …), in Trivy's key names. Vectors are CVSS
 * vector strings; scores are base scores from 0.0 to 10.0. Every key is optional: a source may
 * carry only a vector, only a score, or one CVSS version.
 */
export const CvssScore = Type.Object({
  V2Vector: Type.Optional(Type.String({ description: 'CVSS v2 vector.' })),
  V2Score: Type.Optional(Type.Number({ minimum: 0, maximum: 10, description: 'CVSS v2 base score.' })),
  V3Vector: Type.Optional(Type.String({ description: 'CVSS v3.x vector, e.g. `CVSS:3.1/AV:N/…`.' })),
  V3Score: Type.Optional(Type.Number({ minimum: 0, maximum: 10, description: 'CVSS v3.x base score.' })),
  V40Vector: Type.Optional(Type.String({ description: 'CVSS v4.0 vector.' })),
  V40Score: Type.Optional(Type.Number({ minimum: 0, maximum: 10, description: 'CVSS v4.0 base score.' })),
});
/** CVSS data from one source. */
export type CvssScore = Static<typeof CvssScore>;

/**
 * Where in the artifact (or the source tree) a vulnerable component was found. Airlock extra:
 * Cloudsmith does not send it. `path` is relative, `/`-separated, e.g. `package-lock.json` or
 * `node_modules/lodash/package.json`; `line` is 1-based when known.
 */
export const VulnerabilityLocation = Type.Object({
  path: Type.String({ minLength: 1, description: 'Relative, `/`-separated path of the file.' }),
  line: Type.Optional(Type.Integer({ minimum: 1, description: '1-based line in that file, when known.' })),
});
/** Where a finding was located. */
export type VulnerabilityLocation = Static<typeof VulnerabilityLocation>;

/** One finding of a scan: a known vulnerability of one component found in the package. */
export const Vulnerability = Type.Object({
  vulnerability_id: Type.String({
    minLength: 1,
    description:
      'Advisory identifier as the advisory source names it: `CVE-…`, `GHSA-…`, `PYSEC-…`. (Cloudsmith caps it at 13 characters; Airlock does not, as GHSA ids are longer.)',
  }),
  aliases: Type.Optional(
    Type.Array(Type.String(), {
      description:
        'Other identifiers of the same advisory (OSV `aliases`), e.g. the CVE of a GHSA. Airlock extra: always sent by Airlock, absent from Cloudsmith.',
    }),
  ),
  title: Type.String({ description: 'One-line summary of the advisory; empty when it has none.' }),
  description: Type.String({
    maxLength: 1028,
    description: 'Advisory text, cut to 1028 characters by the server.',
  }),
  severity: Type.With(Severity, { description: 'Severity as rated by `severity_source`.' }),
  severity_source: Type.String({
    description:
      'Whose rating `severity` is: `nvd`, `ghsa`, `osv`, a distribution name, … (empty when unknown).',
  }),
  package_name: Type.String({
    minLength: 1,
    description: 'Name of the vulnerable component inside the package (e.g. a dependency), in its ecosystem.',
  }),
  affected_version: Type.With(VulnerabilityVersion, {
    description: 'The version of the component found in the package (`operator` `=`).',
  }),
  fixed_version: Type.Union([VulnerabilityVersion, Type.Null()], {
    description: 'First version of the component that fixes the vulnerability, or null when there is no fix.',
  }),
  references: Type.Array(Type.String(), { description: 'URLs of the advisory and related material.' }),
  cvss_scores: Type.Record(Type.String(), CvssScore, {
    description: 'CVSS data keyed by source (`nvd`, `ghsa`, …); `{}` when there is none.',
  }),
  location: Type.Optional(
    Type.With(VulnerabilityLocation, {
      description:
        'Airlock extra, optional: the file the component was found in (lock file, manifest), so reports can point at it.',
    }),
  ),
});
/** One finding on the wire. */
export type Vulnerability = Static<typeof Vulnerability>;

/** The scanned package, as scan results refer to it. */
export const ScannedPackageRef = Type.Object({
  identifier: Type.String({ description: 'The package `slug_perm`.' }),
  name: Type.String({ description: 'Package name.' }),
  version: Type.String({ description: 'Package version.' }),
  url: Type.String({ description: 'API URL of the package (its `self_url`).' }),
});
/** The scanned package on the wire. */
export type ScannedPackageRef = Static<typeof ScannedPackageRef>;

const listFields = {
  identifier: Type.String({ description: 'Identifier of this scan result (use it in the detail path).' }),
  created_at: Type.String({ format: 'date-time', description: 'When the scan finished (ISO 8601).' }),
  package: Type.With(ScannedPackageRef, { description: 'The package that was scanned.' }),
  has_vulnerabilities: Type.Boolean({ description: 'Whether any vulnerability was found.' }),
  max_severity: Type.Union([Severity, Type.Null()], {
    description: 'Highest severity among the findings; null when there are none.',
  }),
  num_vulnerabilities: Type.Integer({ minimum: 0, description: 'Number of findings over all scans.' }),
  scan_id: Type.Integer({
    description: 'Deprecated numeric id kept for Cloudsmith compatibility; clients use `identifier`.',
  }),
  num_components: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: 'Airlock extra: distinct components (dependencies) found in the package.',
    }),
  ),
  num_components_evaluated: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: 'Airlock extra: components checked against advisory data.',
    }),
  ),
  num_components_not_evaluated: Type.Optional(
    Type.Integer({
      minimum: 0,
      description:
        'Airlock extra: components that could not be checked (no advisory data, unparseable version, unsupported ecosystem, scan limit); see `coverage` in the detail.',
    }),
  ),
};

/** Why a component was not evaluated (see `coverage.not_evaluated_components`). */
export const NotEvaluatedReason = Type.Union(
  [
    Type.Literal('no_advisory_data'),
    Type.Literal('unparseable_version'),
    Type.Literal('unsupported_ecosystem'),
    Type.Literal('scan_limit'),
  ],
  {
    description:
      "`no_advisory_data`: the ecosystem holds no advisories; `unparseable_version`: the version does not parse in its ecosystem's scheme; `unsupported_ecosystem`: no matcher for the ecosystem; `scan_limit`: a scan limit stopped the scan before it.",
  },
);
/** A not-evaluated reason on the wire. */
export type NotEvaluatedReason = Static<typeof NotEvaluatedReason>;

/** One component a scan could not check against advisories, and why. */
export const NotEvaluatedComponent = Type.Object({
  ecosystem: Type.String({ description: 'OSV ecosystem name: `npm`, `PyPI`, `Go`, `crates.io`, …' }),
  name: Type.String({ description: 'Component name in its ecosystem.' }),
  version: Type.String({ description: 'The version as found.' }),
  reason: NotEvaluatedReason,
  detail: Type.String({
    description: "A sentence saying why, e.g. `PyPI version '2.0.0-final' is not a valid PEP 440 version`.",
  }),
  location: Type.Optional(VulnerabilityLocation),
});
/** A not-evaluated component on the wire. */
export type NotEvaluatedComponent = Static<typeof NotEvaluatedComponent>;

/** The components of one ecosystem in a scan and the advisory data held for it now. */
export const EcosystemCoverage = Type.Object({
  ecosystem: Type.String({ description: 'OSV ecosystem name.' }),
  components: Type.Integer({ minimum: 0, description: 'Components of this ecosystem in the package.' }),
  evaluated: Type.Integer({ minimum: 0, description: 'How many of them were evaluated.' }),
  advisories: Type.Integer({
    minimum: 0,
    description: 'Live advisories held for this ecosystem now (when the response was made).',
  }),
  advisories_updated_at: Type.Union([Type.String(), Type.Null()], {
    description:
      "When this ecosystem's advisory data was last refreshed by a sync or import; null when never.",
  }),
});
/** One ecosystem's coverage on the wire. */
export type EcosystemCoverage = Static<typeof EcosystemCoverage>;

/** Airlock extra: what a scan could and could not check ("the gate knows what it does not know"). */
export const ScanCoverage = Type.Object({
  complete: Type.Boolean({
    description: 'True when every component was evaluated and no scan limit was reached.',
  }),
  evaluated: Type.Integer({ minimum: 0 }),
  not_evaluated: Type.Integer({ minimum: 0 }),
  not_evaluated_components: Type.Array(NotEvaluatedComponent, {
    description: 'The components not evaluated, at most 1,000 listed; `not_evaluated` is the exact count.',
  }),
  limit_reached: Type.Union([Type.String(), Type.Null()], {
    description:
      'Which documented scan limit stopped the scan, e.g. `components per package (100,000)`; null when none.',
  }),
  ecosystems: Type.Array(EcosystemCoverage),
});
/** Scan coverage on the wire. */
export type ScanCoverage = Static<typeof ScanCoverage>;

/**
 * Item of `GET /vulnerabilities/{owner}/`, `…/{owner}/{repo}/` and `…/{owner}/{repo}/{package}/`
 * (bare arrays, newest first).
 */
export const VulnerabilityScanResultsListItem = Type.Object(listFields);
/** A scan-results list item on the wire. */
export type VulnerabilityScanResultsListItem = Static<typeof VulnerabilityScanResultsListItem>;

/** A list of scan results (bare array; paging in headers). */
export const VulnerabilityScanResultsList = Type.Array(VulnerabilityScanResultsListItem);
/** A list of scan results on the wire. */
export type VulnerabilityScanResultsList = Static<typeof VulnerabilityScanResultsList>;

/**
 * One scanned target inside the package: Trivy's "Result". `type` names the ecosystem or
 * analyser (`npm`, `pip`, `python-pkg`, …); `target` what was read (`package-lock.json`, the
 * package file name, …).
 */
export const VulnerabilityScan = Type.Object({
  type: Type.String({ description: 'Ecosystem or analyser of this target (`npm`, `pip`, …).' }),
  target: Type.String({ description: 'What was scanned: a lock file, a manifest, the package file.' }),
  results: Type.Array(Vulnerability, { description: 'Findings in this target; empty when clean.' }),
});
/** One scanned target on the wire. */
export type VulnerabilityScan = Static<typeof VulnerabilityScan>;

/** `GET /vulnerabilities/{owner}/{repo}/{package}/{identifier}/`: a list item plus every finding. */
export const VulnerabilityScanResults = Type.Object({
  ...listFields,
  scans: Type.Array(VulnerabilityScan, {
    description: 'One entry per scanned target (lock file, manifest, the package file itself).',
  }),
  coverage: Type.Optional(
    Type.With(ScanCoverage, {
      description: 'Airlock extra: which components were and were not evaluated, and why.',
    }),
  ),
});
/** Full scan results on the wire. */
export type VulnerabilityScanResults = Static<typeof VulnerabilityScanResults>;
