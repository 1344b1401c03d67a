import type { Static } from 'typebox';
import { Type } from './type.js';

/** Longest repository, team or service-account slug accepted in a path or body. */
export const SLUG_MAX = 50;
/** Longest repository name. */
export const REPO_NAME_MAX = 100;
/** Longest repository description. */
export const REPO_DESCRIPTION_MAX = 2000;
/**
 * What a slug may look like: lower-case letters, digits, `.`, `_` and `-`, starting and ending
 * with a letter or digit.
 */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;

/** Who may read a repository: `Private` (granted callers only) or `Public` (anyone, even anonymous). */
export const RepositoryTypeStr = Type.Enum(['Private', 'Public'], {
  description: "'Private' (the default): only callers with a privilege may read. 'Public': anyone may read.",
});
/** `Private` or `Public`. */
export type RepositoryTypeStr = Static<typeof RepositoryTypeStr>;

/** The slug rule in words, for schema descriptions and error messages. */
export const SLUG_RULE =
  'Lower-case letters, digits, ".", "_" and "-", starting and ending with a letter or digit.';
/** The schema of a writable slug field; `extra` adds to its description. */
export const slugField = (extra = ''): ReturnType<typeof Type.String> =>
  Type.String({ minLength: 1, maxLength: SLUG_MAX, textKind: 'identifier', description: SLUG_RULE + extra });

/**
 * Build-identity field → pattern a package's recorded CI identity must match before it may be
 * copied or moved into the repository: the value itself, or a prefix followed by `.*`. Fields:
 * `issuer`, `subject` and the OIDC run claims (`repository`, `ref`, `workflow`, `sha`, `run_id`,
 * Jenkins' `job_name`, `build_number`, …). `{}` means no rule.
 */
export const PromotionRules = Type.Record(
  Type.String({ minLength: 1, maxLength: 100 }),
  Type.String({ maxLength: 500 }),
  {
    description:
      "Field of the package's build identity → the value it must have (a trailing '.*' matches a prefix). {} for no rule.",
  },
);
/** Promotion rules of a repository. */
export type PromotionRules = Static<typeof PromotionRules>;

/** `POST /repos/{owner}/` body. */
export const RepositoryCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: REPO_NAME_MAX, textKind: 'identifier' }),
  slug: Type.Optional(slugField(' Derived from name when absent.')),
  description: Type.Optional(Type.String({ maxLength: REPO_DESCRIPTION_MAX, textKind: 'text' })),
  repository_type_str: Type.Optional(RepositoryTypeStr),
  promotion_rules: Type.Optional(PromotionRules),
});
/** A repository to create. */
export type RepositoryCreate = Static<typeof RepositoryCreate>;

/** `PATCH /repos/{owner}/{repo}/` body: any subset of the writable fields. */
export const RepositoryUpdate = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: REPO_NAME_MAX, textKind: 'identifier' })),
  slug: Type.Optional(slugField()),
  description: Type.Optional(Type.String({ maxLength: REPO_DESCRIPTION_MAX, textKind: 'text' })),
  repository_type_str: Type.Optional(RepositoryTypeStr),
  promotion_rules: Type.Optional(PromotionRules),
});
/** Changes to a repository. */
export type RepositoryUpdate = Static<typeof RepositoryUpdate>;

/** A repository as the API returns it (Cloudsmith `Repository`, the fields Airlock keeps). */
export const Repository = Type.Object({
  name: Type.String(),
  slug: Type.String(),
  slug_perm: Type.String({ description: 'Immutable identifier.' }),
  description: Type.String(),
  namespace: Type.String({ description: 'The owning organisation.' }),
  namespace_url: Type.String(),
  repository_type: Type.Integer({ description: '1 = Public, 2 = Private.' }),
  repository_type_str: RepositoryTypeStr,
  is_public: Type.Boolean(),
  is_private: Type.Boolean(),
  package_count: Type.Integer(),
  package_group_count: Type.Integer({ description: 'Distinct package names among the live packages.' }),
  num_quarantined_packages: Type.Integer(),
  num_downloads: Type.Integer({ description: 'Always 0: Airlock does not count downloads.' }),
  size: Type.Integer({ description: 'Bytes held by live packages.' }),
  size_str: Type.String({ description: "The size for people, e.g. '1.5 MB' (powers of 1024)." }),
  created_at: Type.String(),
  created_by: Type.Union([Type.String(), Type.Null()], {
    description: 'Slug of the service account that created it.',
  }),
  self_url: Type.String(),
  privileges_url: Type.String(),
  promotion_rules: PromotionRules,
  // Settings Airlock does not have, answered with the value that means "off" so that clients
  // which default them (the Terraform provider does) see no change on every read.
  broadcast_state: Type.Literal('Off', { description: 'Repositories are never broadcast.' }),
  tag_pre_releases_as_latest: Type.Literal(false, { description: 'Pre-releases are never tagged latest.' }),
});
/** A repository on the wire. */
export type Repository = Static<typeof Repository>;

/** `owner` path parameter. */
export const OwnerParams = Type.Object({ owner: Type.String({ minLength: 1 }) });
/** `owner` and `repo` path parameters. */
export const RepoParams = Type.Object({
  owner: Type.String({ minLength: 1 }),
  repo: Type.String({ minLength: 1 }),
});
