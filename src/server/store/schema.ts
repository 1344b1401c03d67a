/**
 * Row types of the service's tables, as Kysely sees them. Timestamps are ISO-8601 UTC strings,
 * booleans are 0/1 integers and JSON columns are text, so that SQLite and PostgreSQL read and
 * write the same values. Primary keys are random text ids made by the application.
 */

export interface OrgsTable {
  id: string;
  slug: string;
  name: string;
  created_at: string;
}

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
  actor_kind: 'service_account' | 'system' | 'anonymous';
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
  packages: PackagesTable;
  package_tags: PackageTagsTable;
  audit_events: AuditEventsTable;
  settings: { key: string; value: string };
}
