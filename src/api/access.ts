import type { Static } from 'typebox';
import { Type } from './type.js';
import { slugField } from './repos.js';

/** Longest service-account name. */
export const SERVICE_NAME_MAX = 120;
/** Longest service-account slug (derived from the name). */
export const SERVICE_SLUG_MAX = 30;
/** Longest team name. */
export const TEAM_NAME_MAX = 100;
/** Longest team or service-account description. */
export const ACCESS_DESCRIPTION_MAX = 2000;

/** A repository privilege, weakest last. */
export const PrivilegeLevel = Type.Enum(['Admin', 'Write', 'Read']);
/** An organisation role: Managers administer the org and are Admin on every repository. */
export const OrgRole = Type.Enum(['Manager', 'Member']);

/** One grant: exactly one of `user`, `service` or `team` (slugs; a user or service slug_perm is accepted too). */
export const PrivilegeEntry = Type.Object({
  privilege: PrivilegeLevel,
  service: Type.Optional(Type.String({ minLength: 1 })),
  team: Type.Optional(Type.String({ minLength: 1 })),
  user: Type.Optional(Type.String({ minLength: 1 })),
});
/** One grant on the wire. */
export type PrivilegeEntry = Static<typeof PrivilegeEntry>;

/** Body of `GET/PUT/PATCH /repos/{owner}/{repo}/privileges`. */
export const RepositoryPrivileges = Type.Object({
  privileges: Type.Array(PrivilegeEntry, { maxItems: 1000 }),
});
/** The grants of a repository. */
export type RepositoryPrivileges = Static<typeof RepositoryPrivileges>;

/** Whether org members who are not in a team see it. */
export const TeamVisibility = Type.Enum(['Visible', 'Hidden']);

/** `POST /orgs/{org}/teams/` body. */
export const TeamCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: TEAM_NAME_MAX, textKind: 'identifier' }),
  slug: Type.Optional(slugField(' Derived from name when absent.')),
  description: Type.Optional(
    Type.Union([Type.String({ maxLength: ACCESS_DESCRIPTION_MAX, textKind: 'text' }), Type.Null()], {
      description: 'Null means none.',
    }),
  ),
  visibility: Type.Optional(TeamVisibility),
});
/** A team to create. */
export type TeamCreate = Static<typeof TeamCreate>;

/** `PATCH /orgs/{org}/teams/{team}/` body. */
export const TeamUpdate = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: TEAM_NAME_MAX, textKind: 'identifier' })),
  slug: Type.Optional(slugField()),
  description: Type.Optional(
    Type.Union([Type.String({ maxLength: ACCESS_DESCRIPTION_MAX, textKind: 'text' }), Type.Null()], {
      description: 'Null means none.',
    }),
  ),
  visibility: Type.Optional(TeamVisibility),
});
/** Changes to a team. */
export type TeamUpdate = Static<typeof TeamUpdate>;

/** A team on the wire. */
export const Team = Type.Object({
  name: Type.String(),
  slug: Type.String(),
  slug_perm: Type.String(),
  description: Type.String(),
  visibility: TeamVisibility,
  created_at: Type.String(),
});
/** A team on the wire. */
export type Team = Static<typeof Team>;

/**
 * One team member: a user or a service account, named in `user` by slug (or slug_perm);
 * `user_kind` (`User` or `Service`), when given, must match what it names.
 */
export const TeamMember = Type.Object({
  user: Type.String({ minLength: 1 }),
  role: Type.Optional(OrgRole),
  user_kind: Type.Optional(Type.Enum(['Service', 'User'])),
});
/** One team member on the wire. */
export type TeamMember = Static<typeof TeamMember>;

/** Body of `GET/POST/PUT /orgs/{org}/teams/{team}/members`. */
export const TeamMembers = Type.Object({ members: Type.Array(TeamMember, { maxItems: 1000 }) });
/** A team's members. */
export type TeamMembers = Static<typeof TeamMembers>;

/** A team membership named from the service account's side. */
export const ServiceTeam = Type.Object({
  slug: Type.String({ minLength: 1 }),
  role: Type.Optional(OrgRole),
});

/** `POST /orgs/{org}/services/` body. */
export const ServiceCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: SERVICE_NAME_MAX, textKind: 'identifier' }),
  description: Type.Optional(Type.String({ maxLength: ACCESS_DESCRIPTION_MAX, textKind: 'text' })),
  role: Type.Optional(OrgRole),
  teams: Type.Optional(Type.Array(ServiceTeam, { maxItems: 1000 })),
});
/** A service account to create. */
export type ServiceCreate = Static<typeof ServiceCreate>;

/** `PATCH /orgs/{org}/services/{service}/` body; `teams`, when given, replaces its memberships. */
export const ServiceUpdate = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: SERVICE_NAME_MAX, textKind: 'identifier' })),
  description: Type.Optional(Type.String({ maxLength: ACCESS_DESCRIPTION_MAX, textKind: 'text' })),
  role: Type.Optional(OrgRole),
  teams: Type.Optional(Type.Array(ServiceTeam, { maxItems: 1000 })),
});
/** Changes to a service account. */
export type ServiceUpdate = Static<typeof ServiceUpdate>;

const serviceFields = {
  name: Type.String(),
  slug: Type.String(),
  slug_perm: Type.String(),
  description: Type.String(),
  role: OrgRole,
  teams: Type.Array(Type.Object({ slug: Type.String(), role: OrgRole })),
  key: Type.String({
    description: 'The API key, redacted: only its last four characters are real (all stars for old keys).',
  }),
  key_created_at: Type.String(),
  key_expires_at: Type.Null({ description: 'Keys do not expire.' }),
  created_at: Type.String(),
  created_by: Type.Union([Type.String(), Type.Null()]),
  self_url: Type.String(),
};

/** A service account as reads return it: never with its key. */
export const Service = Type.Object(serviceFields);
/** A service account on the wire. */
export type Service = Static<typeof Service>;

/** A service account just created or whose key was just rotated: the key is shown this once. */
export const ServiceWithKey = Type.Object({
  ...serviceFields,
  key: Type.String({ description: 'The API key. It is not stored and cannot be shown again.' }),
});
/** A service account with its new key. */
export type ServiceWithKey = Static<typeof ServiceWithKey>;

/** `GET /user/self/`: who the credential belongs to. */
export const UserSelf = Type.Object({
  authenticated: Type.Boolean(),
  slug: Type.Union([Type.String(), Type.Null()]),
  slug_perm: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  profile_url: Type.Union([Type.String(), Type.Null()]),
  self_url: Type.Union([Type.String(), Type.Null()]),
});
/** The caller, on the wire. */
export type UserSelf = Static<typeof UserSelf>;

/** `GET /user/tokens/`: the caller's own API key, obfuscated. */
export const UserTokens = Type.Object({
  results: Type.Array(
    Type.Object({
      slug_perm: Type.String(),
      created: Type.String(),
      key: Type.String({
        description:
          'Obfuscated: only its last four characters are shown, and only when it is the credential of the request.',
      }),
    }),
  ),
});
/** The caller's keys, on the wire. */
export type UserTokens = Static<typeof UserTokens>;

/** A user's role in an organisation: Owners and Managers administer it, ReadOnly members only read. */
export const MemberRole = Type.Enum(['Owner', 'Manager', 'Member', 'ReadOnly']);
/** A user's role in an organisation. */
export type MemberRole = Static<typeof MemberRole>;

/** `GET /orgs/{org}/members/{member}/`: a person who belongs to the organisation. */
export const OrgMember = Type.Object({
  email: Type.String(),
  has_two_factor: Type.Boolean(),
  is_active: Type.Boolean(),
  joined_at: Type.String(),
  last_login_at: Type.Union([Type.String(), Type.Null()], {
    description: 'Members sign in with API keys: no interactive login is recorded.',
  }),
  last_login_method: Type.Union([Type.String(), Type.Null()]),
  role: MemberRole,
  user: Type.String({ description: 'The user slug.' }),
  user_id: Type.String({
    description: 'The user slug as well, so that a team membership written with either reads back the same.',
  }),
  user_name: Type.String(),
  user_url: Type.String(),
  visibility: Type.Enum(['Public', 'Private']),
  slug_perm: Type.String(),
});
/** An organisation member on the wire. */
export type OrgMember = Static<typeof OrgMember>;

/** `GET /orgs/{org}/`: an organisation. */
export const Organization = Type.Object({
  name: Type.String(),
  slug: Type.String(),
  slug_perm: Type.String(),
  created_at: Type.String(),
  country: Type.Union([Type.String(), Type.Null()]),
  location: Type.Union([Type.String(), Type.Null()]),
  tagline: Type.Union([Type.String(), Type.Null()]),
});
/** An organisation on the wire. */
export type Organization = Static<typeof Organization>;

/** `org` and `member` path parameters. */
export const MemberParams = Type.Object({
  org: Type.String({ minLength: 1 }),
  member: Type.String({ minLength: 1 }),
});

/** `org` path parameter. */
export const OrgParams = Type.Object({ org: Type.String({ minLength: 1 }) });
/** `org` and `team` path parameters. */
export const TeamParams = Type.Object({
  org: Type.String({ minLength: 1 }),
  team: Type.String({ minLength: 1 }),
});
/** `org` and `service` path parameters. */
export const ServiceParams = Type.Object({
  org: Type.String({ minLength: 1 }),
  service: Type.String({ minLength: 1 }),
});
