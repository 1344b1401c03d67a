import pino from 'pino';
import { JobQueue } from '../../../src/server/jobs/queue.js';
import { createJobWorker } from '../../../src/server/jobs/worker.js';
import type { Db } from '../../../src/server/store/db.js';
import { BACKENDS } from '../../helpers/upload.js';
import { startSharedDatabase, type SharedDatabase } from './databases.js';

describe.each(BACKENDS)('a job worker stopping on %s', (backend) => {
  let shared: SharedDatabase;
  let db: Db;
  let other: Db;

  beforeAll(async () => {
    shared = await startSharedDatabase(backend);
    db = await shared.open();
    other = await shared.open();
  }, 60_000);
  afterAll(async () => {
    await shared?.stop();
  });

  it('puts back a job that outlives the grace period, for another replica to run at once', async () => {
    const queue = new JobQueue(db);
    const id = await queue.enqueue('scan', {}, new Date());
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const worker = createJobWorker({
      name: 'scan-worker',
      queue,
      clock: () => new Date(),
      log,
      retryDelayMs: () => 1000,
      stopGraceMs: 50,
      pollMs: 60_000,
      handlers: {
        scan: async () => {
          started();
          await finished;
        },
      },
    });
    worker.start();
    worker.kick();
    await running;
    await worker.stop();

    const row = await db
      .selectFrom('jobs')
      .select(['status', 'attempts', 'locked_by'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'queued', attempts: 0, locked_by: null });
    const replica = new JobQueue(other);
    const taken = (await replica.claim(['scan'], new Date()))!;
    expect(taken).toMatchObject({ id, attempts: 1 });

    // The abandoned run ends late: its result is refused, the other replica's stands.
    finish();
    while (!/lease was taken over/.test(warnings.join(''))) await new Promise((r) => setTimeout(r, 10));
    expect(await replica.complete(taken, new Date())).toBe(true);
  });

  it('claims nothing more once stopping', async () => {
    const queue = new JobQueue(db);
    for (let i = 0; i < 3; i++) await queue.enqueue('batch', { i }, new Date());
    const ran: number[] = [];
    let stopCalled!: (stopping: Promise<void>) => void;
    const stopping = new Promise<void>((resolve) => (stopCalled = resolve));
    const worker = createJobWorker({
      name: 'batch-worker',
      queue,
      clock: () => new Date(),
      log: pino({ level: 'silent' }),
      retryDelayMs: () => 1000,
      pollMs: 60_000,
      handlers: {
        batch: async (job) => {
          ran.push((job.payload as { i: number }).i);
          // The service begins to stop while the first job runs.
          if (ran.length === 1) stopCalled(worker.stop());
        },
      },
    });
    worker.start();
    worker.kick();
    await await stopping;
    expect(ran).toHaveLength(1);
    const left = await db.selectFrom('jobs').select('status').where('kind', '=', 'batch').execute();
    expect(left.map((r) => r.status).sort()).toEqual(['done', 'queued', 'queued']);
  });
});
