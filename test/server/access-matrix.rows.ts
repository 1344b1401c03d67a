import { SYSTEM_ACTOR } from '../../src/server/domain/access.js';
import { addUser } from '../../src/server/domain/users.js';
import { uniqueName } from '../helpers/principals.js';
import type { MatrixFixture, Vars } from './access-matrix/objects.js';
import { DOWNLOAD_ROWS, FILE_ROWS, PYPI_ROWS } from './access-matrix/files.rows.js';
import {
  OIDC_ROWS,
  POLICY_ROWS,
  PUBLIC_ROWS,
  VULNERABILITY_ROWS,
  WEBHOOK_ROWS,
} from './access-matrix/org.rows.js';
import { PACKAGE_ACTION_ROWS, PACKAGE_READ_WRITE_ROWS } from './access-matrix/packages.rows.js';
import { PRIVACY_ROWS } from './access-matrix/privacy.rows.js';
import { UPSTREAM_ROWS } from './access-matrix/upstreams.rows.js';
import {
  AUTHENTICATED,
  EVERYONE,
  ORG_MANAGER,
  ORG_MEMBERS,
  REPO_ADMINS,
  type AccessRow,
} from './access-matrix/row-types.js';

export type { AccessRow } from './access-matrix/row-types.js';
export type { Vars } from './access-matrix/objects.js';

const freshRepo = async (f: MatrixFixture): Promise<Vars> => ({ repo: await f.createRepo() });
const freshTeam = async (f: MatrixFixture): Promise<Vars> => ({ team: await f.createTeam() });
const freshService = async (f: MatrixFixture): Promise<Vars> => ({ service: await f.createService() });
const freshMember = async (f: MatrixFixture): Promise<Vars> => {
  const { ctx } = f.server;
  const email = `${uniqueName('member')}@example.com`;
  const user = await addUser(
    ctx,
    ctx.secret,
    { org: f.org, email, role: 'Member' },
    new Date(),
    SYSTEM_ACTOR,
  );
  return { member: user.slug };
};

/** Repositories and their privileges. */
export const REPO_ROWS: AccessRow[] = [
  { endpoint: 'POST /repos/{org}/', allowed: ORG_MANAGER, body: { name: '{unique}' }, status: 201 },
  // The caller's own organisation's repositories (`cloudsmith list repos` without an owner).
  { endpoint: 'GET /repos/', allowed: AUTHENTICATED, status: 200 },
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
  { endpoint: 'GET /orgs/{org}/', allowed: ORG_MEMBERS, status: 200 },
  { endpoint: 'GET /orgs/{org}/members/', allowed: ORG_MEMBERS, status: 200 },
  { endpoint: 'GET /orgs/{org}/members/{member}/', allowed: ORG_MEMBERS, status: 200, prepare: freshMember },
  { endpoint: 'GET /audit-log/{org}/', allowed: ORG_MANAGER, status: 200 },
  { endpoint: 'GET /audit-log/{org}/{repo}/', allowed: REPO_ADMINS, status: 200 },
];

/** Every row of the matrix: at least one for every endpoint the service registers. */
export const ACCESS_ROWS: AccessRow[] = [
  ...PRIVACY_ROWS,
  ...REPO_ROWS,
  ...TEAM_ROWS,
  ...SERVICE_ROWS,
  ...USER_AND_AUDIT_ROWS,
  ...FILE_ROWS,
  ...DOWNLOAD_ROWS,
  ...PYPI_ROWS,
  ...PACKAGE_READ_WRITE_ROWS,
  ...PACKAGE_ACTION_ROWS,
  ...WEBHOOK_ROWS,
  ...UPSTREAM_ROWS,
  ...POLICY_ROWS,
  ...VULNERABILITY_ROWS,
  ...OIDC_ROWS,
  ...PUBLIC_ROWS,
];
