import crypto from 'node:crypto';
import { initOrg } from '../../src/server/domain/orgs.js';
import type { TestServer } from './server.js';

/** The callers every access rule is checked against. */
export type PrincipalName = 'anonymous' | 'read' | 'write' | 'admin' | 'manager' | 'otherManager';

/** Every principal, weakest first. */
export const PRINCIPALS: readonly PrincipalName[] = [
  'anonymous',
  'read',
  'write',
  'admin',
  'manager',
  'otherManager',
];

/** A response as tests look at it. */
export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * Calls the service with an API key (or none). A string body is sent as it is (to test
 * malformed JSON); anything else is sent as JSON.
 */
export async function callApi<T = unknown>(
  baseUrl: string,
  key: string | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  if (key) headers['X-Api-Key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

/** A short name no other call in this process has used. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomBytes(4).toString('hex')}`;
}

/** The callers of {@link PRINCIPALS} in a running service, and ways to make fresh objects for them to act on. */
export interface AccessFixture {
  server: TestServer;
  /** The org everything is in (`acme`). */
  org: string;
  /** A second org, whose Manager is `otherManager`. */
  otherOrg: string;
  /** A private repository of `org` on which read/write/admin hold their privilege. */
  repo: string;
  /** A team of `org` whose member `write` holds Write on `repo` through it. */
  team: string;
  /** API key of each principal (null for anonymous). */
  keys: Record<PrincipalName, string | null>;
  /** Service-account slug of each authenticated principal. */
  slugs: Record<Exclude<PrincipalName, 'anonymous'>, string>;
  /** Calls the service as `who`. */
  call<T = unknown>(
    who: PrincipalName,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiResponse<T>>;
  /** A new repository of `org` with the same grants as `repo`; returns its slug. */
  createRepo(options?: { public?: boolean }): Promise<string>;
  /** A new team of `org`; returns its slug. */
  createTeam(): Promise<string>;
  /** A new service account (Member) of `org`; returns its slug. */
  createService(): Promise<string>;
}

async function expectStatus<T>(res: Promise<ApiResponse<T>>, status: number, what: string): Promise<T> {
  const r = await res;
  if (r.status !== status)
    throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * Builds the principals of the access rules in `server`: service accounts `read`, `write` and
 * `admin` (org Members; Read and Admin granted directly on a private repository, Write through a
 * team), the org's Manager (the server's admin key), and the Manager of a second org made with
 * initOrg. Everything is created through the API, so the fixture exercises it too.
 */
export async function buildPrincipals(server: TestServer): Promise<AccessFixture> {
  const org = server.org;
  const manager = server.adminKey;
  const asManager = <T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> =>
    callApi<T>(server.url, manager, method, path, body);

  const member = async (name: string): Promise<{ slug: string; key: string }> =>
    expectStatus(
      asManager<{ slug: string; key: string }>('POST', `/orgs/${org}/services/`, { name: uniqueName(name) }),
      201,
      `creating service account ${name}`,
    );
  const reader = await member('reader');
  const writer = await member('writer');
  const admin = await member('admin');
  const self = await expectStatus(
    asManager<{ slug: string }>('GET', '/user/self/'),
    200,
    'reading the Manager',
  );

  const team = (
    await expectStatus(
      asManager<{ slug: string }>('POST', `/orgs/${org}/teams/`, { name: uniqueName('writers') }),
      201,
      'creating the team',
    )
  ).slug;
  await expectStatus(
    asManager('PUT', `/orgs/${org}/teams/${team}/members`, {
      members: [{ user: writer.slug, user_kind: 'Service' }],
    }),
    200,
    'adding the writer to the team',
  );

  const otherOrg = uniqueName('globex');
  const other = await initOrg(server.ctx.db, server.ctx.secret, otherOrg, new Date());
  if (!other.created) throw new Error(`org ${otherOrg} already existed`);

  const createRepo = async (options: { public?: boolean } = {}): Promise<string> => {
    const repo = (
      await expectStatus(
        asManager<{ slug: string }>('POST', `/repos/${org}/`, {
          name: uniqueName('repo'),
          repository_type_str: options.public ? 'Public' : 'Private',
        }),
        201,
        'creating a repository',
      )
    ).slug;
    await expectStatus(
      asManager('PUT', `/repos/${org}/${repo}/privileges`, {
        privileges: [
          { privilege: 'Read', service: reader.slug },
          { privilege: 'Write', team },
          { privilege: 'Admin', service: admin.slug },
        ],
      }),
      204,
      'granting privileges',
    );
    return repo;
  };

  const keys: Record<PrincipalName, string | null> = {
    anonymous: null,
    read: reader.key,
    write: writer.key,
    admin: admin.key,
    manager,
    otherManager: other.apiKey,
  };
  return {
    server,
    org,
    otherOrg,
    repo: await createRepo(),
    team,
    keys,
    slugs: {
      read: reader.slug,
      write: writer.slug,
      admin: admin.slug,
      manager: self.slug,
      otherManager: other.service,
    },
    call: (who, method, path, body) => callApi(server.url, keys[who], method, path, body),
    createRepo,
    createTeam: async () =>
      (
        await expectStatus(
          asManager<{ slug: string }>('POST', `/orgs/${org}/teams/`, { name: uniqueName('team') }),
          201,
          'creating a team',
        )
      ).slug,
    createService: async () => (await member('service')).slug,
  };
}
