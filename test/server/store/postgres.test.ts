import pgModule from 'pg';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';

/**
 * The same service on PostgreSQL instead of SQLite: migrations, access, policies and the job
 * queue run unchanged through the Kysely PostgreSQL dialect.
 */
describe('the service on PostgreSQL', () => {
  let pg: TestPostgres;
  let server: TestServer;

  beforeAll(async () => {
    pg = await startPostgres();
    server = await startTestServer({ database: { kind: 'postgres', url: pg.url } });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    pg?.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(server.url + path, {
      method,
      headers: {
        'X-Api-Key': server.adminKey,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };

  it('runs every migration and keeps the schema in PostgreSQL', async () => {
    const client = new pgModule.Client({ connectionString: pg.url });
    await client.connect();
    const { rows } = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
    );
    await client.end();
    const tables = rows.map((r) => r.table_name);
    expect(tables).toEqual(
      expect.arrayContaining(['orgs', 'repos', 'packages', 'jobs', 'policies', 'webhooks', 'audit_events']),
    );
  });

  it('authenticates the admin key and creates and reads policies', async () => {
    const created = await call('POST', '/orgs/acme/vulnerability-policy/', {
      name: 'pg policy',
      min_severity: 'High',
    });
    expect(created.status).toBe(201);
    const listed = await call('GET', '/orgs/acme/vulnerability-policy/');
    expect(listed.body).toEqual([expect.objectContaining({ name: 'pg policy', min_severity: 'High' })]);
  });
});
