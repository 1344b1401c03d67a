import crypto from 'node:crypto';
import type { Privilege } from '../../src/server/domain/access.js';
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
 * How a request body is sent: `json` (the default; a string is sent as it is, to test malformed
 * JSON), `bytes` (a string as raw `application/octet-stream`, as an upload URL takes it) or `form`
 * (an object of strings as multipart/form-data, its `file` entry as the file part).
 */
export type Payload = 'json' | 'bytes' | 'form';

function encodeBody(body: unknown, payload: Payload): { body: string | FormData; type?: string } {
  if (payload === 'bytes') return { body: String(body), type: 'application/octet-stream' };
  if (payload === 'form') {
    const form = new FormData();
    for (const [name, value] of Object.entries(body as Record<string, string>)) {
      if (name === 'file') form.append(name, new Blob([value]), 'file.bin');
      else form.append(name, value);
    }
    // fetch writes the multipart Content-Type with its boundary itself.
    return { body: form };
  }
  return { body: typeof body === 'string' ? body : JSON.stringify(body), type: 'application/json' };
}

/**
 * Calls the service with an API key (or none). The response body is parsed as JSON when it is
 * JSON, else kept as text (downloads).
 */
export async function callApi<T = unknown>(
  baseUrl: string,
  key: string | null,
  method: string,
  path: string,
  body?: unknown,
  payload: Payload = 'json',
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  if (key) headers['X-Api-Key'] = key;
  const encoded = body === undefined ? undefined : encodeBody(body, payload);
  if (encoded?.type) headers['Content-Type'] = encoded.type;
  const res = await fetch(baseUrl + path, { method, headers, body: encoded?.body });
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
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
    payload?: Payload,
  ): Promise<ApiResponse<T>>;
  /**
   * A new repository of `org`; returns its slug. Without `grants`, `read`, `write` and `admin`
   * hold the same privileges on it as on `repo`; `grants` changes theirs (null: none).
   */
  createRepo(options?: RepoOptions): Promise<string>;
  /** A new team of `org`; returns its slug. */
  createTeam(): Promise<string>;
  /** A new service account (Member) of `org`; returns its slug. */
  createService(): Promise<string>;
}

/** The member principals whose privilege on a repository a test can choose. */
export type GrantedPrincipal = 'read' | 'write' | 'admin';

/** Options of {@link AccessFixture.createRepo}. */
export interface RepoOptions {
  public?: boolean;
  grants?: Partial<Record<GrantedPrincipal, Privilege | null>>;
}

const DEFAULT_GRANTS: Record<GrantedPrincipal, Privilege> = { read: 'Read', write: 'Write', admin: 'Admin' };

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
  const other = await initOrg(server.ctx, server.ctx.secret, otherOrg, new Date());
  if (!other.created) throw new Error(`org ${otherOrg} already existed`);

  const createRepo = async (options: RepoOptions = {}): Promise<string> => {
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
    const grants = { ...DEFAULT_GRANTS, ...options.grants };
    // `write` holds its privilege through the team, the others directly.
    const holders: Record<GrantedPrincipal, { service: string } | { team: string }> = {
      read: { service: reader.slug },
      write: { team },
      admin: { service: admin.slug },
    };
    const privileges = (Object.keys(holders) as GrantedPrincipal[])
      .filter((who) => grants[who])
      .map((who) => ({ privilege: grants[who], ...holders[who] }));
    await expectStatus(
      asManager('PUT', `/repos/${org}/${repo}/privileges`, { privileges }),
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
    call: (who, method, path, body, payload) => callApi(server.url, keys[who], method, path, body, payload),
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
