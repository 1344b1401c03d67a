import type { FastifyBaseLogger } from 'fastify';
import { newId } from '../../../src/server/domain/ids.js';
import { DELIVERY_JOB, type DeliveryJob } from '../../../src/server/hooks/delivery.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { api, createRepo, uploadPackage } from '../../helpers/upload.js';

type Fields = Record<string, string[]>;

/** A logger that keeps what is warned about, for the assertions. */
function captureWarnings(): { logger: FastifyBaseLogger; warnings: Record<string, unknown>[] } {
  const warnings: Record<string, unknown>[] = [];
  const ignore = (): void => undefined;
  const logger = {
    level: 'warn',
    fatal: ignore,
    error: ignore,
    info: ignore,
    debug: ignore,
    trace: ignore,
    silent: ignore,
    warn: (obj: unknown) => {
      if (obj && typeof obj === 'object') warnings.push(obj as Record<string, unknown>);
    },
    child: () => logger,
  };
  // The fields Fastify and the service call; the rest of pino's surface is not used.
  return { logger: logger as unknown as FastifyBaseLogger, warnings };
}

describe('webhook package queries', () => {
  let server: TestServer;
  let warnings: Record<string, unknown>[];
  let seq = 0;

  /** Writes a webhook row straight into the database, as rows stored before queries were checked look. */
  const storeWebhook = async (packageQuery: string): Promise<string> => {
    const repo = await server.ctx.db
      .selectFrom('repos')
      .select(['id', 'org_id'])
      .where('slug', '=', 'dev')
      .executeTakeFirstOrThrow();
    const id = newId();
    const now = new Date().toISOString();
    await server.ctx.db
      .insertInto('webhooks')
      .values({
        id,
        org_id: repo.org_id,
        repo_id: repo.id,
        seq: ++seq,
        target_url: `https://hooks.example.com/${id}`,
        events: JSON.stringify(['*']),
        is_active: 1,
        package_query: packageQuery,
        request_body_format: 0,
        signature_key: null,
        secret_header: null,
        secret_value: null,
        verify_ssl: 1,
        num_sent: 0,
        failed_in_a_row: 0,
        last_response_status: null,
        disable_reason: 0,
        disable_detail: null,
        created_at: now,
        created_by: null,
        updated_at: now,
        updated_by: null,
        deleted_at: null,
      })
      .execute();
    return id;
  };

  const queuedFor = async (): Promise<string[]> => {
    const jobs = await server.ctx.db
      .selectFrom('jobs')
      .select('payload')
      .where('kind', '=', DELIVERY_JOB)
      .execute();
    return jobs
      .map((j) => JSON.parse(j.payload) as DeliveryJob)
      .filter((j) => j.event !== 'ping')
      .map((j) => j.webhookId);
  };

  beforeAll(async () => {
    const capture = captureWarnings();
    warnings = capture.warnings;
    // No background work: deliveries stay queued, where the test reads them.
    server = await startTestServer({}, { background: false, logger: capture.logger });
    await createRepo(server, 'dev');
  });
  afterAll(async () => server.close());

  it('refuses a webhook whose package_query has a typo, on create and on change, naming the term', async () => {
    const created = await api<{ fields: Fields }>(server, 'POST', '/webhooks/acme/dev/', {
      target_url: 'https://hooks.example.com/new',
      events: ['*'],
      package_query: 'nmae:app',
    });
    expect(created.status).toBe(422);
    expect(created.body.fields.package_query![0]).toMatch(/'nmae:app'.*unknown field/);

    const id = await storeWebhook('name:app');
    const changed = await api<{ fields: Fields }>(server, 'PATCH', `/webhooks/acme/dev/${id}/`, {
      package_query: 'name:app OR',
    });
    expect(changed.status).toBe(422);
    expect(Object.keys(changed.body.fields)).toEqual(['package_query']);
    await api(server, 'DELETE', `/webhooks/acme/dev/${id}/`);
  });

  it('skips only the webhook whose stored query no longer parses, logs it and shows why', async () => {
    const broken = await storeWebhook('nmae:app');
    const matching = await storeWebhook('name:app');
    const unfiltered = await storeWebhook('');

    const res = await uploadPackage(server, 'dev', 'raw', Buffer.from('app'), 'app.bin', {
      name: 'app',
      version: '1',
    });
    expect(res.status).toBe(201);

    const queued = await queuedFor();
    expect(queued).toEqual(expect.arrayContaining([matching, unfiltered]));
    expect(queued).not.toContain(broken);
    expect(warnings).toContainEqual(expect.objectContaining({ query: 'nmae:app' }));

    const shown = await api<{ query_error: string | null }>(server, 'GET', `/webhooks/acme/dev/${broken}/`);
    expect(shown.status).toBe(200);
    expect(shown.body.query_error).toMatch(/'nmae:app'/);
    const fine = await api<{ query_error: string | null }>(server, 'GET', `/webhooks/acme/dev/${matching}/`);
    expect(fine.body.query_error).toBeNull();
  });
});
