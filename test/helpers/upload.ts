import crypto from 'node:crypto';
import { postgresAvailable, startPostgres } from './postgres.js';
import type { BuildOptions } from '../../src/server/app.js';
import { startTestServer, type TestServer } from './server.js';
import { onSharedStores } from './stores.js';

/**
 * The databases package tests run on: SQLite always, PostgreSQL when its binaries are installed;
 * only PostgreSQL in the PostgreSQL + S3 pass, where every test service is on it already.
 */
export const BACKENDS: ('sqlite' | 'postgres')[] = onSharedStores()
  ? ['postgres']
  : postgresAvailable()
    ? ['sqlite', 'postgres']
    : ['sqlite'];

/**
 * Starts the test service on SQLite or on a throwaway PostgreSQL cluster (stopped by `close()`).
 * Background workers (scanner, webhook delivery) stay off, so that nothing but the requests of
 * a test changes its packages.
 */
export async function startServerOn(
  backend: 'sqlite' | 'postgres',
  options: Omit<BuildOptions, 'background'> = {},
): Promise<TestServer> {
  // The PostgreSQL + S3 pass gives every test service a fresh database on its one cluster.
  if (backend === 'sqlite' || onSharedStores()) return startTestServer({}, { ...options, background: false });
  const pg = await startPostgres();
  try {
    const server = await startTestServer(
      { database: { kind: 'postgres', url: pg.url } },
      { ...options, background: false },
    );
    return {
      ...server,
      async close() {
        try {
          await server.close();
        } finally {
          pg.stop();
        }
      },
    };
  } catch (err) {
    pg.stop();
    throw err;
  }
}

/** A JSON API response: status, parsed body (null when empty) and headers. */
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the JSON API of a test server with an API key (the admin key unless another is given). */
export async function api<T = unknown>(
  server: TestServer,
  method: string,
  path: string,
  body?: unknown,
  key: string | null = server.adminKey,
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (key) headers['X-Api-Key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(server.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

/** Creates a private repository `slug` in the test org (as its admin). */
export async function createRepo(server: TestServer, slug: string): Promise<void> {
  const res = await api(server, 'POST', `/repos/${server.org}/`, { name: slug, slug });
  if (res.status !== 201) throw new Error(`creating repo ${slug}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Creates a Member service account with the given privileges per repository; returns its API key. */
export async function createAccount(
  server: TestServer,
  name: string,
  grants: Record<string, 'Read' | 'Write' | 'Admin'>,
): Promise<string> {
  const created = await api<{ slug: string; key: string }>(server, 'POST', `/orgs/${server.org}/services/`, {
    name,
    role: 'Member',
  });
  if (created.status >= 300)
    throw new Error(`creating ${name}: ${created.status} ${JSON.stringify(created.body)}`);
  for (const [repo, privilege] of Object.entries(grants)) {
    const res = await api(server, 'PATCH', `/repos/${server.org}/${repo}/privileges`, {
      privileges: [{ privilege, service: created.body.slug }],
    });
    if (res.status !== 204) throw new Error(`granting ${privilege} on ${repo}: ${res.status}`);
  }
  return created.body.key;
}

/**
 * Sends bytes the way a client does: `POST /files/{owner}/{repo}/` with method `put` and the
 * sha256, then a PUT of the raw bytes to the signed `upload_url`. Returns the upload identifier.
 */
export async function sendFile(
  server: TestServer,
  repo: string,
  bytes: Buffer,
  filename: string,
  key: string = server.adminKey,
): Promise<string> {
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const granted = await api<{
    identifier: string;
    upload_url: string;
    upload_headers: Record<string, string>;
  }>(
    server,
    'POST',
    `/files/${server.org}/${repo}/`,
    { filename, sha256_checksum: sha256, method: 'put' },
    key,
  );
  if (granted.status !== 202) {
    throw new Error(`requesting an upload: ${granted.status} ${JSON.stringify(granted.body)}`);
  }
  const put = await fetch(granted.body.upload_url, {
    method: 'PUT',
    headers: granted.body.upload_headers,
    body: bytes,
  });
  if (!put.ok) throw new Error(`sending the bytes: ${put.status} ${await put.text()}`);
  return granted.body.identifier;
}

/**
 * Uploads a file and creates a package of `format` from it through the real HTTP flow
 * (request upload → PUT bytes → `POST /packages/{owner}/{repo}/upload/{format}/`). Returns the
 * create response as it came (201 with the package, or the error) and the upload identifier.
 */
export async function uploadPackage<T = unknown>(
  server: TestServer,
  repo: string,
  format: string,
  bytes: Buffer,
  filename: string,
  fields: Record<string, unknown> = {},
  key: string = server.adminKey,
): Promise<ApiResponse<T> & { identifier: string }> {
  const identifier = await sendFile(server, repo, bytes, filename, key);
  const res = await api<T>(
    server,
    'POST',
    `/packages/${server.org}/${repo}/upload/${format}/`,
    { package_file: identifier, ...fields },
    key,
  );
  return { ...res, identifier };
}
