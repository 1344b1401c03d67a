/**
 * Row types of the service's tables, as Kysely sees them. Timestamps are ISO-8601 UTC strings,
 * booleans are 0/1 integers and JSON columns are text, so that SQLite and PostgreSQL read and
 * write the same values. Primary keys are random text ids made by the application.
 */

import type { ColumnType } from 'kysely';

export interface OrgsTable {
  id: string;
  slug: string;
  name: string;
  created_at: string;
}

/** A user's role in an organisation, as stored. */
export type MemberRoleColumn = 'Owner' | 'Manager' | 'Member' | 'ReadOnly';

export interface ServicesTable {
  id: string;
  org_id: string;
  slug: string;
  name: string;
  description: string;
  role: 'Manager' | 'Member';
  key_hash: string;
  key_created_at: string;
  created_at: string;
  created_by: string | null;
  deleted_at: string | null;
  /** A service account (the default on insert), or a person (a user) who belongs to the org. */
  kind: ColumnType<'service' | 'user', 'service' | 'user' | undefined, 'service' | 'user'>;
  /** A user's email address (null for service accounts). */
  email: ColumnType<string | null, string | null | undefined, string | null>;
  /** The key's last four characters (null for keys made before they were kept). */
  key_tail: ColumnType<string | null, string | null | undefined, string | null>;
  /** A user's org role; `role` is Manager for Owner and Manager, Member otherwise. */
  member_role: ColumnType<
    MemberRoleColumn | null,
    MemberRoleColumn | null | undefined,
    MemberRoleColumn | null
  >;
  /** A user's web password, scrypt (0020-web-sessions); null when none is set. */
  password_hash: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TeamsTable {
  id: string;
  org_id: string;
  slug: string;
  name: string;
  description: string;
  visibility: 'Visible' | 'Hidden';
  created_at: string;
}

export interface TeamMembersTable {
  team_id: string;
  service_id: string;
  role: 'Manager' | 'Member';
}

export interface ReposTable {
  id: string;
  org_id: string;
  slug: string;
  name: string;
  description: string;
  repository_type: 'Private' | 'Public';
  created_at: string;
  created_by: string | null;
  deleted_at: string | null;
  /** JSON object of build-identity field → pattern a package must match to be promoted here; `{}` for none. */
  promotion_rules: ColumnType<string, string | undefined, string>;
}

export interface RepoPrivilegesTable {
  repo_id: string;
  principal_kind: 'service' | 'team';
  principal_id: string;
  privilege: 'Admin' | 'Write' | 'Read';
}

export interface BlobsTable {
  sha256: string;
  size: number;
  md5: string;
  sha1: string;
  /** Not computed on upload (it would halve upload throughput); null. */
  sha512: string | null;
  created_at: string;
}

export interface UploadsTable {
  id: string;
  org_id: string;
  repo_id: string;
  filename: string;
  method: 'post' | 'put' | 'put_parts' | 'presigned' | 'unsigned_put';
  declared_sha256: string | null;
  declared_md5: string | null;
  state: 'pending' | 'receiving' | 'complete' | 'consumed' | 'aborted';
  blob_sha256: string | null;
  size: number | null;
  created_by: string;
  created_at: string;
  expires_at: string;
}

export interface UploadPartsTable {
  upload_id: string;
  part_number: number;
  size: number;
  created_at: string;
}

/** A lock on one blob address, held until `expires_at` unless renewed (migration 0014). */
export interface BlobLocksTable {
  sha256: string;
  /** Random per acquisition: only the acquirer renews or releases it. */
  token: string;
  /** The holding process's store (host and data directory or bucket). */
  owner: string;
  expires_at: string;
}

/** A request receiving bytes for an upload, until `expires_at` unless renewed (migration 0014). */
export interface UploadReceiptsTable {
  token: string;
  upload_id: string;
  owner: string;
  expires_at: string;
}

export interface PackagesTable {
  id: string;
  org_id: string;
  repo_id: string;
  origin_repo_id: string;
  format: string;
  name: string;
  /** Name folded for uniqueness (lower case; PEP 503 for python). */
  name_key: string;
  version: string;
  slug: string;
  filename: string;
  blob_sha256: string;
  size: number;
  summary: string;
  description: string;
  license: string;
  /** Format-specific metadata read from the artifact (JSON object). */
  metadata: string;
  status: number;
  stage: number;
  status_reason: string;
  status_updated_at: string;
  stage_updated_at: string;
  sync_finished_at: string | null;
  is_quarantined: number;
  policy_violated: number;
  security_scan_status: string;
  security_scan_started_at: string | null;
  security_scan_completed_at: string | null;
  uploaded_at: string;
  uploader_id: string | null;
  uploader: string;
  /** The CI identity (OIDC claims) of the caller that uploaded it, JSON or null. */
  identity: string | null;
  deleted_at: string | null;
}

export interface PackageTagsTable {
  package_id: string;
  tag: string;
  kind: 'info' | 'version';
  immutable: number;
}

export interface AuditEventsTable {
  id: string;
  org_id: string;
  repo_id: string | null;
  event: string;
  event_kind: 'action' | 'create' | 'read' | 'update' | 'delete';
  event_at: string;
  actor: string;
  actor_kind: 'service_account' | 'user' | 'system' | 'anonymous';
  actor_slug_perm: string | null;
  actor_ip_address: string | null;
  object: string;
  object_kind: string;
  object_slug_perm: string | null;
  target: string | null;
  target_kind: string | null;
  target_slug_perm: string | null;
  /** JSON object: request context and, for OIDC callers, the CI identity. */
  context: string;
}

export interface OidcProvidersTable {
  id: string;
  org_id: string;
  slug: string;
  name: string;
  enabled: number;
  /** The issuer, as configured (compared with `iss` modulo one trailing slash). */
  provider_url: string;
  audience: string;
  /** JSON object: claim name → required value (a trailing `.*` makes it a prefix). */
  claims: string;
  token_ttl_seconds: number;
  created_at: string;
  created_by: string | null;
  updated_at: string;
}

export interface OidcProviderServicesTable {
  provider_id: string;
  service_id: string;
}

export interface OidcTokensTable {
  id: string;
  /** Keyed hash of the token secret; the secret itself is never stored. */
  key_hash: string;
  org_id: string;
  service_id: string;
  provider_id: string;
  subject: string;
  /** JSON object: the caller's CI identity taken from the OIDC claims. */
  identity: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** One imported OSV advisory (0002-advisories). */
export interface AdvisoriesTable {
  id: string;
  /** Upper-cased id, for case-insensitive lookups. */
  id_key: string;
  modified: string;
  published: string | null;
  /** Set when the source withdrew the advisory; withdrawn advisories never match. */
  withdrawn: string | null;
  summary: string;
  details: string;
  severity_level: string;
  severity_score: number | null;
  severity_source: string | null;
  severity_vector: string | null;
  /** JSON list of {type, url}. */
  refs: string;
  /** JSON: the rest of the OSV document (related, credits, database_specific, …). */
  raw: string;
  /** sha256 of the source document, to notice changes when `modified` stays the same. */
  digest: string;
  source: string;
  imported_at: string;
}

export interface AdvisoryAliasesTable {
  advisory_id: string;
  alias: string;
  /** Upper-cased alias, for case-insensitive lookups. */
  alias_key: string;
}

export interface AdvisoryPackagesTable {
  advisory_id: string;
  /** Index of the entry in the advisory's `affected` list. */
  position: number;
  ecosystem: string;
  /** The name exactly as the advisory writes it. */
  name: string;
  /** The name folded per ecosystem (PEP 503 for PyPI, lower case elsewhere), for lookups. */
  name_key: string;
  purl: string | null;
  /** JSON: the OSV `ranges` list. */
  ranges: string;
  /** JSON: the OSV `versions` list. */
  versions: string;
  /** The entry's own severity, when it has one; else the advisory's applies. */
  severity_level: string | null;
  severity_score: number | null;
  severity_source: string | null;
  severity_vector: string | null;
}

/** The whole database as Kysely sees it. Later migrations add their tables here. */
export interface Database {
  orgs: OrgsTable;
  services: ServicesTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  repos: ReposTable;
  repo_privileges: RepoPrivilegesTable;
  blobs: BlobsTable;
  uploads: UploadsTable;
  upload_parts: UploadPartsTable;
  blob_locks: BlobLocksTable;
  upload_receipts: UploadReceiptsTable;
  packages: PackagesTable;
  package_tags: PackageTagsTable;
  audit_events: AuditEventsTable;
  advisories: AdvisoriesTable;
  advisory_aliases: AdvisoryAliasesTable;
  advisory_packages: AdvisoryPackagesTable;
  settings: { key: string; value: string };
  oidc_providers: OidcProvidersTable;
  oidc_provider_services: OidcProviderServicesTable;
  oidc_tokens: OidcTokensTable;
  jobs: JobsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  policies: PoliciesTable;
  policy_violations: PolicyViolationsTable;
  scans: ScansTable;
  scan_findings: ScanFindingsTable;
  package_components: PackageComponentsTable;
  advisory_feeds: AdvisoryFeedsTable;
  leases: LeasesTable;
  npm_deprecations: NpmDeprecationsTable;
  upstreams: UpstreamsTable;
  upstream_documents: UpstreamDocumentsTable;
  upstream_firewalls: UpstreamFirewallsTable;
  web_sessions: WebSessionsTable;
}

/** A signed-in session of the web interface (0020-web-sessions). */
export interface WebSessionsTable {
  id_hash: string;
  /** The sign-in credential, sealed (AES-256-GCM) with a key derived from the server secret. */
  credential: string;
  csrf: string;
  created_at: string;
  expires_at: string;
}

export interface JobsTable {
  id: string;
  kind: string;
  /** JSON payload. */
  payload: string;
  dedupe_key: string | null;
  status: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  max_attempts: number;
  run_at: string;
  locked_until: string | null;
  /** The claim holding a running job (0015-job-leases): `<worker id>/<claim number>`. */
  locked_by: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhooksTable {
  id: string;
  org_id: string;
  repo_id: string;
  /** Sequential per repository: Cloudsmith's integer `webhook_id`. */
  seq: number;
  target_url: string;
  /** JSON array of event names (or '*'). */
  events: string;
  is_active: number;
  package_query: string;
  request_body_format: number;
  /** Encrypted with the server secret (hooks/secrets.ts). */
  signature_key: string | null;
  secret_header: string | null;
  /** Encrypted with the server secret. */
  secret_value: string | null;
  verify_ssl: number;
  num_sent: number;
  failed_in_a_row: number;
  last_response_status: number | null;
  disable_reason: number;
  disable_detail: string | null;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  updated_by: string | null;
  deleted_at: string | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  trigger_id: string;
  event: string;
  attempt: number;
  attempted_at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  outcome: 'delivered' | 'retry' | 'failed';
}

export interface PoliciesTable {
  id: string;
  org_id: string;
  kind: 'vulnerability' | 'license' | 'deny';
  name: string;
  description: string;
  /** JSON object of the kind's own settings (min_severity, spdx_identifiers, …). */
  settings: string;
  package_query_string: string;
  created_at: string;
  updated_at: string;
}

export interface PolicyViolationsTable {
  id: string;
  org_id: string;
  policy_id: string;
  package_id: string;
  kind: 'vulnerability' | 'license' | 'deny';
  /** JSON array of sentences. */
  reasons: string;
  event_at: string;
}

export interface ScansTable {
  id: string;
  /** Sequential over the service: the deprecated numeric `scan_id`. */
  seq: number;
  package_id: string;
  org_id: string;
  repo_id: string;
  outcome: 'vulnerable' | 'clean' | 'failed' | 'not_supported';
  reason: string;
  num_components: number;
  /** Components checked against advisory data (0009-scan-coverage). */
  num_components_evaluated: number;
  /** Components that could not be checked: no advisory data, unparseable version, no matcher, scan limit. */
  num_components_not_evaluated: number;
  /** The documented scan limit that stopped the scan, or null. */
  limit_reached: string | null;
  /** JSON `{not_evaluated_components, ecosystems}`; null for a failed or unsupported scan. */
  coverage: string | null;
  num_vulnerabilities: number;
  max_severity: string | null;
  started_at: string;
  completed_at: string;
}

export interface ScanFindingsTable {
  scan_id: string;
  ordinal: number;
  /** What was scanned (a lock file, the package file). */
  target: string;
  /** Ecosystem of the target (`npm`, `pip`, …). */
  type: string;
  /** The Vulnerability object of the API, as JSON. */
  finding: string;
}

export interface PackageComponentsTable {
  package_id: string;
  ecosystem: string;
  /** Folded as the advisory tables fold names, so rescans can find the packages an advisory touches. */
  name: string;
  version: string;
  location: string;
}

/** One ecosystem's advisory data: its source, conditional-request validators and freshness. */
export interface AdvisoryFeedsTable {
  /** OSV ecosystem name: `npm`, `PyPI`, `Go`, `crates.io`, … */
  ecosystem: string;
  /** URL or path the data last came from. */
  source: string;
  etag: string | null;
  last_modified: string | null;
  /** When the data was last refreshed by a successful sync or import; null when never. */
  updated_at: string | null;
  /** When a sync was last attempted. */
  checked_at: string | null;
  /** What went wrong on the last attempt; null when it succeeded. */
  last_error: string | null;
  advisory_count: number;
  /** sha256 of the archive last imported for this ecosystem (0013-advisory-sync): an unchanged one is skipped. */
  archive_sha256: string | null;
}

/** Named leases (0015-job-leases): who may run a scheduler now, until when. One row per name. */
export interface LeasesTable {
  name: string;
  /** An id of the process (or task) holding the lease. */
  holder: string;
  /** ISO time after which another holder may take the lease. */
  expires_at: string;
  /** ISO time at which the current holder took it. */
  acquired_at: string;
}

/** The deprecation message of an npm package version (0016-npm-deprecations). */
export interface NpmDeprecationsTable {
  package_id: string;
  message: string;
  updated_at: string;
}

/** A repository's upstream (0017-upstreams). */
export interface UpstreamsTable {
  id: string;
  org_id: string;
  repo_id: string;
  format: string;
  name: string;
  upstream_url: string;
  mode: string;
  priority: number;
  auth_mode: string;
  auth_username: string | null;
  /** Sealed secret (password or token); never returned. */
  auth_secret: string | null;
  /** JSON array of `{name, value}` headers sent with every request. */
  extra_headers: string;
  verify_ssl: number;
  is_active: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/**
 * A document fetched from an upstream and what revalidating it needs (0017-upstreams), with the
 * digest of its body (0022-upstream-document-digests, which put the body last).
 */
export interface UpstreamDocumentsTable {
  upstream_id: string;
  doc_key: string;
  /** The sha256 of `body`, base64url. */
  digest: string;
  fetched_at: string;
  etag: string | null;
  last_modified: string | null;
  body: string;
}

/** A repository's firewall mode for blocked versions (0017-upstreams). */
export interface UpstreamFirewallsTable {
  repo_id: string;
  mode: string;
  updated_at: string;
}
