import { initService } from '../../helpers/service-process.js';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../../src/server/store/db.js';
import { startReceiver, type Receiver } from '../../helpers/receivers.js';
import { tempDir } from '../../helpers/server.js';
import { createRepo } from '../upload-helpers.js';
import { freePort } from '../../helpers/ports.js';

const BIN = fileURLToPath(new URL('../../../bin/airlock-server.js', import.meta.url));

describe('stopping the real server while a webhook delivery hangs', () => {
  let dataDir: string;
  let child: ChildProcess | null = null;
  let receiver: Receiver;

  beforeAll(async () => {
    dataDir = tempDir('airlock-shutdown-');
    receiver = await startReceiver(() => undefined);
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await receiver.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits on SIGTERM, putting the delivery back in the queue for the next start', async () => {
    const apiKey = (await initService(dataDir)).api_key;
    const db = await openDatabase({ kind: 'sqlite', file: path.join(dataDir, 'airlock.db') });
    await createRepo(db, 'acme', 'dev');
    await db.destroy();

    const port = await freePort();
    child = spawn(
      process.execPath,
      [
        BIN,
        'serve',
        '--data-dir',
        dataDir,
        '--port',
        String(port),
        '--log-level',
        'warn',
        '--outbound-allow',
        '127.0.0.0/8',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child!.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let created: Response | undefined;
    while (!created) {
      created = await fetch(`http://127.0.0.1:${port}/webhooks/acme/dev/`, {
        method: 'POST',
        headers: { 'X-Api-Key': apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({ target_url: `${receiver.url}/never-answers`, events: ['*'] }),
      }).catch(() => undefined);
      if (!created) await new Promise((r) => setTimeout(r, 50));
    }
    expect(created.status).toBe(201);
    // The ping is in flight: the receiver has it and will never answer.
    await receiver.firstRequest();

    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });

    const after = await openDatabase({ kind: 'sqlite', file: path.join(dataDir, 'airlock.db') });
    try {
      const jobs = await after.selectFrom('jobs').select(['kind', 'status', 'attempts']).execute();
      expect(jobs).toEqual([{ kind: 'webhook.deliver', status: 'queued', attempts: 0 }]);
      expect(await after.selectFrom('webhook_deliveries').selectAll().execute()).toEqual([]);
    } finally {
      await after.destroy();
    }
  }, 60_000);
});
