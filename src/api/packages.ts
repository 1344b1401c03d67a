import type { Static } from 'typebox';
import { Type } from './type.js';
import { PAGE_PROPERTIES } from './paging.js';

/** Package formats the service accepts (`POST /packages/{owner}/{repo}/upload/{format}/`). */
export const PACKAGE_FORMATS = ['npm', 'python', 'raw'] as const;
/** One of {@link PACKAGE_FORMATS}. */
export type PackageFormat = (typeof PACKAGE_FORMATS)[number];

/** `security_scan_status` values, as Cloudsmith spells them. */
export const SECURITY_SCAN_STATUSES = [
  'Awaiting Security Scan',
  'Security Scanning in Progress',
  'Scan Detected Vulnerabilities',
  'Scan Detected No Vulnerabilities',
  'Security Scanning Disabled',
  'Security Scanning Failed',
  'Security Scanning Skipped',
  'Security Scanning Not Supported',
] as const;
/** One of {@link SECURITY_SCAN_STATUSES}. */
export type SecurityScanStatus = (typeof SECURITY_SCAN_STATUSES)[number];

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);

/** Tags grouped by kind, e.g. `{"info": ["qa"], "version": ["latest"]}` (always an object). */
export const PackageTags = Type.Record(Type.String(), Type.Array(Type.String()), {
  description: 'Tags grouped by kind: `info` (set by users) and `version` (npm dist-tags).',
});
/** Tags grouped by kind. */
export type PackageTags = Static<typeof PackageTags>;

/** One file of a package (`files[]`). */
export const PackageFile = Type.Object({
  filename: Type.String(),
  size: Type.Integer(),
  checksum_md5: NullableString,
  checksum_sha1: NullableString,
  checksum_sha256: NullableString,
  checksum_sha512: NullableString,
  cdn_url: Type.String({ description: 'Where the file downloads from.' }),
  is_primary: Type.Boolean(),
  is_synchronised: Type.Boolean(),
  is_downloadable: Type.Boolean(),
  tag: NullableString,
  slug_perm: Type.String(),
  downloads: Type.Integer(),
  signature_url: NullableString,
});
/** One file of a package. */
export type PackageFile = Static<typeof PackageFile>;

/** The sync-state and capability fields, shared by {@link Package} and {@link PackageStatus}. */
const syncAndCapabilities = {
  status: Type.Integer({ description: 'Sync status number (docs/packages.md).' }),
  status_str: Type.String(),
  status_reason: Type.String(),
  status_updated_at: Type.String(),
  stage: Type.Integer({ description: 'Sync stage number (docs/packages.md).' }),
  stage_str: Type.String(),
  stage_updated_at: Type.String(),
  sync_progress: Type.Integer({ minimum: 0, maximum: 100 }),
  sync_finished_at: NullableString,
  is_sync_awaiting: Type.Boolean(),
  is_sync_in_progress: Type.Boolean(),
  is_sync_in_flight: Type.Boolean(),
  is_sync_completed: Type.Boolean(),
  is_sync_failed: Type.Boolean(),
  is_quarantined: Type.Boolean(),
  is_quarantinable: Type.Boolean(),
  is_copyable: Type.Boolean(),
  is_moveable: Type.Boolean(),
  is_deleteable: Type.Boolean(),
  is_resyncable: Type.Boolean(),
  is_cancellable: Type.Boolean(),
  is_downloadable: Type.Boolean(),
  is_security_scannable: Type.Boolean(),
};

/** `GET /packages/{owner}/{repo}/{identifier}/status/`: the sync state and capability flags. */
export const PackageStatus = Type.Object({
  ...syncAndCapabilities,
  self_url: Type.String(),
  security_scan_status: Type.String({
    description: 'Where the security scan is (the Package field of the same name).',
  }),
  security_scan_completed_at: NullableString,
  policy_violated: Type.Boolean(),
});
/** A package's sync state. */
export type PackageStatus = Static<typeof PackageStatus>;

/**
 * The Package object (Cloudsmith v1 shape). Fields that do not apply to a format (epoch, distro,
 * …) are null. `identity` is Airlock's addition: the CI identity (OIDC claims) that uploaded it.
 */
export const Package = Type.Object({
  slug: Type.String(),
  slug_perm: Type.String(),
  identifier_perm: Type.String(),
  identifiers: Type.Record(Type.String(), Type.String()),
  name: Type.String(),
  version: NullableString,
  version_orig: NullableString,
  epoch: NullableInteger,
  release: NullableString,
  format: Type.String(),
  subtype: NullableString,
  package_type: Type.Integer({ description: '1 binary, 2 source (docs/packages.md).' }),
  type_display: Type.String(),
  display_name: Type.String(),
  fully_qualified_name: Type.String(),
  filename: Type.String(),
  filepath: Type.String(),
  extension: Type.String(),

  namespace: Type.String(),
  repository: Type.String(),
  origin_repository: Type.String(),
  self_url: Type.String(),
  status_url: Type.String(),
  namespace_url: Type.String(),
  repository_url: Type.String(),
  format_url: Type.String(),
  cdn_url: Type.String(),
  self_html_url: NullableString,
  self_webapp_url: NullableString,
  uploader_url: NullableString,
  dependencies_url: NullableString,
  vulnerability_scan_results_url: Type.String(),
  signature_url: NullableString,

  checksum_md5: NullableString,
  checksum_sha1: NullableString,
  checksum_sha256: Type.String(),
  checksum_sha512: NullableString,
  size: Type.Integer(),
  num_files: Type.Integer(),
  files: Type.Array(PackageFile),
  architectures: Type.Array(Type.Object({ name: Type.String(), description: NullableString })),
  distro: NullableString,
  distro_version: NullableString,
  license: NullableString,
  raw_license: NullableString,
  spdx_license: NullableString,
  summary: NullableString,
  description: NullableString,
  downloads: Type.Integer(),
  freeable_storage: Type.Integer({
    description: 'Bytes deleting this package would free (0 while a copy shares its file).',
  }),
  dependencies_checksum_md5: NullableString,

  ...syncAndCapabilities,
  indexed: Type.Boolean(),
  policy_violated: Type.Boolean(),

  security_scan_status: Type.String(),
  security_scan_started_at: NullableString,
  security_scan_completed_at: NullableString,
  security_scan_status_updated_at: NullableString,
  num_components_evaluated: Type.Optional(
    Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description:
        "Airlock extra: components of the latest scan checked against advisory data; null until the package's first scan completes.",
    }),
  ),
  num_components_not_evaluated: Type.Optional(
    Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description:
        "Airlock extra: components of the latest scan that could not be checked (see the scan's `coverage`); null until the package's first scan completes.",
    }),
  ),

  tags: PackageTags,
  tags_immutable: PackageTags,
  tags_automatic: PackageTags,

  uploaded_at: Type.String(),
  uploader: Type.String(),
  identity: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
    description: 'Airlock: the CI identity (OIDC issuer, subject and claims) of the uploader, or null.',
  }),
});
/** A package as the API returns it. */
export type Package = Static<typeof Package>;

const Tags = Type.Union(
  [
    Type.String({ maxLength: 1024, textKind: 'identifier' }),
    Type.Array(Type.String({ maxLength: 255, textKind: 'identifier' })),
  ],
  { description: 'Tags as a comma-separated string or a list.' },
);

/** Fields every create body has. */
const commonUpload = {
  package_file: Type.String({
    minLength: 1,
    description:
      'The upload identifier from `POST /files/{owner}/{repo}/` (a local path is accepted by validate-upload).',
  }),
  republish: Type.Optional(
    Type.Boolean({ description: 'Replace a live package with the same name and version.' }),
  ),
  tags: Type.Optional(Tags),
};

/** `POST …/upload/raw/` body. */
export const RawPackageUploadRequest = Type.Object({
  ...commonUpload,
  name: Type.Optional(
    Type.String({ maxLength: 200, textKind: 'identifier', description: 'Defaults to the file name.' }),
  ),
  version: Type.Optional(Type.String({ maxLength: 255, textKind: 'identifier' })),
  summary: Type.Optional(Type.String({ maxLength: 255, textKind: 'text' })),
  description: Type.Optional(Type.String({ maxLength: 12288, textKind: 'text' })),
  content_type: Type.Optional(
    Type.String({ maxLength: 64, textKind: 'identifier', description: 'MIME type served on download.' }),
  ),
});
/** Parsed raw create body. */
export type RawPackageUploadRequest = Static<typeof RawPackageUploadRequest>;

/** `POST …/upload/npm/` body: metadata comes from the tarball's package/package.json. */
export const NpmPackageUploadRequest = Type.Object({
  ...commonUpload,
  npm_dist_tag: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      textKind: 'identifier',
      description: 'Dist-tag to point at it (default `latest`).',
    }),
  ),
});
/** Parsed npm create body. */
export type NpmPackageUploadRequest = Static<typeof NpmPackageUploadRequest>;

/** `POST …/upload/python/` body: metadata comes from the wheel's METADATA or the sdist's PKG-INFO. */
export const PythonPackageUploadRequest = Type.Object({ ...commonUpload });
/** Parsed python create body. */
export type PythonPackageUploadRequest = Static<typeof PythonPackageUploadRequest>;

/**
 * What the create and validate-upload routes accept: the union of every format's fields (a
 * format ignores the fields of the others, as Cloudsmith does).
 */
export const PackageUploadRequest = Type.Object({
  ...RawPackageUploadRequest.properties,
  ...NpmPackageUploadRequest.properties,
});
/** Parsed create body, any format. */
export type PackageUploadRequest = Static<typeof PackageUploadRequest>;

/** `POST …/{identifier}/copy/` body. */
export const PackageCopyRequest = Type.Object({
  destination: Type.String({
    minLength: 1,
    textKind: 'identifier',
    description: 'Slug of a repository in the same namespace.',
  }),
  republish: Type.Optional(Type.Boolean({ description: 'Replace a package with the same version there.' })),
});
/** Parsed copy body. */
export type PackageCopyRequest = Static<typeof PackageCopyRequest>;

/** `POST …/{identifier}/move/` body. */
export const PackageMoveRequest = Type.Object({
  destination: Type.String({
    minLength: 1,
    textKind: 'identifier',
    description: 'Slug of a repository in the same namespace.',
  }),
});
/** Parsed move body. */
export type PackageMoveRequest = Static<typeof PackageMoveRequest>;

/** Tag actions (matched case-insensitively; the official CLI sends them in lower case). */
export const TAG_ACTIONS = ['Add', 'Clear', 'Replace', 'Remove'] as const;
/** One of {@link TAG_ACTIONS}. */
export type TagAction = (typeof TAG_ACTIONS)[number];

/** `POST …/{identifier}/tag/` body. */
export const PackageTagRequest = Type.Object({
  action: Type.Optional(
    Type.String({ description: 'Add (default), Clear, Replace or Remove; any letter case.' }),
  ),
  tags: Type.Optional(Tags),
  is_immutable: Type.Optional(
    Type.Boolean({ description: 'Added tags can then be removed by a repository Admin only.' }),
  ),
});
/** Parsed tag body. */
export type PackageTagRequest = Static<typeof PackageTagRequest>;

/** `POST …/{identifier}/quarantine/` body: `{}` quarantines, `release` (or `restore`) releases. */
export const PackageQuarantineRequest = Type.Object({
  release: Type.Optional(Type.Boolean()),
  restore: Type.Optional(Type.Boolean({ description: 'Older name of `release`.' })),
});
/** Parsed quarantine body. */
export type PackageQuarantineRequest = Static<typeof PackageQuarantineRequest>;

/** `GET /packages/{owner}/{repo}/` query. */
export const PackageListQuery = Type.Object({
  ...PAGE_PROPERTIES,
  query: Type.Optional(
    Type.String({
      maxLength: 1024,
      description:
        'Search: name:, version:, format:, tag:, status:, filename:, checksum:, policy_violated:, scan:, severity: terms, ANDed; `~` or NOT negates, OR alternates.',
    }),
  ),
  sort: Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'Comma-separated fields, `-` for descending (default `-date`).',
    }),
  ),
});
/** Parsed list query. */
export type PackageListQuery = Static<typeof PackageListQuery>;
