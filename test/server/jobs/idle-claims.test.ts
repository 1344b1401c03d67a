/**
 * Workers poll the queue every second. On SQLite a claim that finds nothing to take must write
 * nothing: no group commit, and so no sync of the log and no checkpoint thread started for an
 * idle service (its memory at rest is held to an aim). SQLite only, in both passes: PostgreSQL
 * has no group commits of the service's own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { JobQueue } from '../../../src/server/jobs/queue.js';
import { openDatabase, type Db } from '../../../src/server/store/db.js';
import { GROUP_SYNC_DELAY_MS } from '../../../src/server/store/group-commit.js';
import { ioCounts } from '../../../src/server/store/io-counters.js';
import { tempDir } from '../../helpers/server.js';

let dir: string;
let db: Db;

beforeAll(async () => {
  dir = tempDir('airlock-idle-claims-');
  db = await openDatabase({ kind: 'sqlite', file: path.join(dir, 'airlock.db') });
});

afterAll(async () => {
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('a claim with nothing due writes nothing; one with a due job is one group commit', async () => {
  const queue = new JobQueue(db, { heartbeatMs: 0 });
  const at = new Date('2026-12-06T12:00:00Z');
  await queue.enqueue('scan.package', { pkg: 'later' }, at, { runAt: new Date(at.getTime() + 60_000) });
  const before = { ...ioCounts };
  for (let i = 0; i < 5; i++) expect(await queue.claim(['scan.package'], at)).toBeNull();
  await new Promise((r) => setTimeout(r, GROUP_SYNC_DELAY_MS * 5));
  expect(ioCounts.groupCommits).toBe(before.groupCommits);
  expect(ioCounts.syncedCommits).toBe(before.syncedCommits);
  expect(ioCounts.logSyncs).toBe(before.logSyncs);

  const job = await queue.claim(['scan.package'], new Date(at.getTime() + 60_000));
  expect(job).toMatchObject({ payload: { pkg: 'later' }, attempts: 1 });
  expect(ioCounts.groupCommits).toBe(before.groupCommits + 1);
});
