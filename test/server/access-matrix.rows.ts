import type { AccessFixture, PrincipalName } from '../helpers/principals.js';

/** Values for the `{placeholders}` of a row's endpoint and body. */
export type Vars = Record<string, string>;

/**
 * One endpoint of the access matrix. Every principal not in `allowed` must be refused: anonymous
 * callers with 401 `not_authenticated`, authenticated ones with 403 `permission_denied`.
 *
 * Placeholders in `endpoint` and in the string values of `body`: `{org}`, `{otherOrg}`, `{repo}`,
 * `{team}`, the service-account slugs `{read}`, `{write}`, `{admin}`, `{manager}`, `{unique}` (a
 * fresh name per call), and whatever `prepare` returns.
 */
export interface AccessRow {
  /** Method and path, e.g. `GET /repos/{org}/{repo}/`. */
  endpoint: string;
  /** The principals that may call it. */
  allowed: readonly PrincipalName[];
  /** JSON body to send. */
  body?: unknown;
  /** The status an allowed caller gets; without it, any 2xx or a 4xx other than 401/403 passes. */
  status?: number;
  /** Makes fresh objects the call changes or consumes, once per principal; returns placeholder values. */
  prepare?: (f: AccessFixture) => Promise<Vars>;
}

const EVERYONE: readonly PrincipalName[] = ['anonymous', 'read', 'write', 'admin', 'manager', 'otherManager'];
const AUTHENTICATED: readonly PrincipalName[] = ['read', 'write', 'admin', 'manager', 'otherManager'];
const ORG_MEMBERS: readonly PrincipalName[] = ['read', 'write', 'admin', 'manager'];
const REPO_ADMINS: readonly PrincipalName[] = ['admin', 'manager'];
const ORG_MANAGER: readonly PrincipalName[] = ['manager'];

const freshRepo = async (f: AccessFixture): Promise<Vars> => ({ repo: await f.createRepo() });
const freshTeam = async (f: AccessFixture): Promise<Vars> => ({ team: await f.createTeam() });
const freshService = async (f: AccessFixture): Promise<Vars> => ({ service: await f.createService() });

/** Repositories and their privileges. */
export const REPO_ROWS: AccessRow[] = [
  { endpoint: 'POST /repos/{org}/', allowed: ORG_MANAGER, body: { name: '{unique}' }, status: 201 },
  { endpoint: 'GET /repos/{org}/', allowed: EVERYONE, status: 200 },
  { endpoint: 'GET /repos/{org}/{repo}/', allowed: ORG_MEMBERS, status: 200 },
  {
    endpoint: 'GET /repos/{org}/{public}/',
    allowed: EVERYONE,
    status: 200,
    prepare: async (f) => ({ public: await f.createRepo({ public: true }) }),
  },
  {
    endpoint: 'PATCH /repos/{org}/{repo}/',
    allowed: REPO_ADMINS,
    body: { description: 'changed {unique}' },
    status: 200,
  },
  { endpoint: 'DELETE /repos/{org}/{repo}/', allowed: REPO_ADMINS, status: 204, prepare: freshRepo },
  { endpoint: 'GET /repos/{org}/{repo}/privileges', allowed: REPO_ADMINS, status: 200 },
  {
    endpoint: 'PUT /repos/{org}/{repo}/privileges',
    allowed: REPO_ADMINS,
    body: { privileges: [{ privilege: 'Read', service: '{read}' }] },
    status: 204,
    prepare: freshRepo,
  },
  {
    endpoint: 'PATCH /repos/{org}/{repo}/privileges',
    allowed: REPO_ADMINS,
    body: { privileges: [{ privilege: 'Write', service: '{read}' }] },
    status: 204,
    prepare: freshRepo,
  },
];

/** Teams and their members. */
export const TEAM_ROWS: AccessRow[] = [
  { endpoint: 'POST /orgs/{org}/teams/', allowed: ORG_MANAGER, body: { name: '{unique}' }, status: 201 },
  { endpoint: 'GET /orgs/{org}/teams/', allowed: ORG_MEMBERS, status: 200 },
  { endpoint: 'GET /orgs/{org}/teams/{team}/', allowed: ORG_MEMBERS, status: 200 },
  {
    endpoint: 'PATCH /orgs/{org}/teams/{team}/',
    allowed: ORG_MANAGER,
    body: { description: 'changed {unique}' },
    status: 200,
    prepare: freshTeam,
  },
  { endpoint: 'DELETE /orgs/{org}/teams/{team}/', allowed: ORG_MANAGER, status: 204, prepare: freshTeam },
  { endpoint: 'GET /orgs/{org}/teams/{team}/members', allowed: ORG_MEMBERS, status: 200 },
  {
    endpoint: 'POST /orgs/{org}/teams/{team}/members',
    allowed: ORG_MANAGER,
    body: { members: [{ user: '{read}', role: 'Member', user_kind: 'Service' }] },
    status: 201,
    prepare: freshTeam,
  },
  {
    endpoint: 'PUT /orgs/{org}/teams/{team}/members',
    allowed: ORG_MANAGER,
    body: { members: [{ user: '{admin}', role: 'Manager' }] },
    status: 200,
    prepare: freshTeam,
  },
];

/** Service accounts. */
export const SERVICE_ROWS: AccessRow[] = [
  { endpoint: 'POST /orgs/{org}/services/', allowed: ORG_MANAGER, body: { name: '{unique}' }, status: 201 },
  { endpoint: 'GET /orgs/{org}/services/', allowed: ORG_MANAGER, status: 200 },
  { endpoint: 'GET /orgs/{org}/services/{read}/', allowed: ORG_MANAGER, status: 200 },
  {
    endpoint: 'PATCH /orgs/{org}/services/{service}/',
    allowed: ORG_MANAGER,
    body: { description: 'changed {unique}' },
    status: 200,
    prepare: freshService,
  },
  {
    endpoint: 'DELETE /orgs/{org}/services/{service}/',
    allowed: ORG_MANAGER,
    status: 204,
    prepare: freshService,
  },
  {
    endpoint: 'POST /orgs/{org}/services/{service}/refresh/',
    allowed: ORG_MANAGER,
    status: 200,
    prepare: freshService,
  },
];

/** The caller itself, and the audit log. */
export const USER_AND_AUDIT_ROWS: AccessRow[] = [
  { endpoint: 'GET /user/self/', allowed: EVERYONE, status: 200 },
  { endpoint: 'GET /user/tokens/', allowed: AUTHENTICATED, status: 200 },
  { endpoint: 'GET /audit-log/{org}/', allowed: ORG_MANAGER, status: 200 },
  { endpoint: 'GET /audit-log/{org}/{repo}/', allowed: REPO_ADMINS, status: 200 },
];

/** Every row of the matrix; other areas (packages, uploads, …) append their own lists here. */
export const ACCESS_ROWS: AccessRow[] = [...REPO_ROWS, ...TEAM_ROWS, ...SERVICE_ROWS, ...USER_AND_AUDIT_ROWS];
