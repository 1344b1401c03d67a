import { generateApiKey, hashKey } from '../../../src/server/domain/access.js';
import { newId } from '../../../src/server/domain/ids.js';
import { initOrg } from '../../../src/server/domain/orgs.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/** A test service whose clock can be moved forward. */
export interface OidcTestServer extends TestServer {
  /** Moves the service's clock forward by `seconds`. */
  advance(seconds: number): void;
}

/** Starts the real service with loopback issuers allowed and an adjustable clock. */
export async function startOidcServer(allowLoopbackIssuers = true): Promise<OidcTestServer> {
  let offsetMs = 0;
  const server = await startTestServer(
    { allowLoopbackIssuers, limits: { requestsPerHour: 0 } },
    { clock: () => new Date(Date.now() + offsetMs) },
  );
  return Object.assign(server, {
    advance(seconds: number) {
      offsetMs += seconds * 1000;
    },
  });
}

/** Adds a service account to an org straight in the database; returns its id and API key. */
export async function addService(
  server: TestServer,
  slug: string,
  role: 'Manager' | 'Member' = 'Member',
  orgSlug = server.org,
): Promise<{ id: string; slug: string; apiKey: string }> {
  const org = await server.ctx.db
    .selectFrom('orgs')
    .select('id')
    .where('slug', '=', orgSlug)
    .executeTakeFirstOrThrow();
  const apiKey = generateApiKey();
  const id = newId();
  const now = new Date().toISOString();
  await server.ctx.db
    .insertInto('services')
    .values({
      id,
      org_id: org.id,
      slug,
      name: slug,
      description: '',
      role,
      key_hash: hashKey(server.ctx.secret, apiKey),
      key_created_at: now,
      created_at: now,
      created_by: null,
      deleted_at: null,
    })
    .execute();
  return { id, slug, apiKey };
}

/** Adds another organisation with its admin account; returns the admin key. */
export async function addOrg(server: TestServer, slug: string): Promise<string> {
  const result = await initOrg(server.ctx.db, server.ctx.secret, slug, new Date());
  if (!result.created) throw new Error(`org ${slug} existed`);
  return result.apiKey;
}

/** A JSON request to the service; `key` goes in X-Api-Key, `bearer` in Authorization. */
export async function call(
  server: TestServer,
  method: string,
  path: string,
  options: { key?: string; bearer?: string; body?: unknown } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (options.key) headers['x-api-key'] = options.key;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server.url + path, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null, headers: res.headers };
}

/** The audit events of an org's log with this event name, oldest first, context parsed. */
export async function auditEvents(
  server: TestServer,
  event: string,
): Promise<
  Array<{ actor: string; object: string; target: string | null; context: Record<string, unknown> }>
> {
  const rows = await server.ctx.db
    .selectFrom('audit_events')
    .select(['actor', 'object', 'target', 'context', 'event_at', 'id'])
    .where('event', '=', event)
    .orderBy('event_at')
    .execute();
  return rows.map((r) => ({
    actor: r.actor,
    object: r.object,
    target: r.target,
    context: JSON.parse(r.context) as Record<string, unknown>,
  }));
}
