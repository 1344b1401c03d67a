/**
 * The lookups of one package name in a repository (each publish, version check, dist-tag move,
 * packument and project page runs some) must find its rows through the partial unique index of
 * live versions, never by reading every package of the repository: SQLite uses a partial index
 * only when the query states the index's condition, and a format bound as a parameter does not.
 * The queries are captured as the store runs them and their plans read from SQLite itself, so a
 * query that loses its index fails here whatever the database holds. The job claim, which every
 * worker makes each second, is held to the same rule: finished jobs, kept for a week, are never
 * read by it. SQLite only: PostgreSQL plans
 * with the bound values and has no such blind spot, so this file opens an SQLite database of its
 * own in both passes.
 */
import { jest } from '@jest/globals';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateToLatest } from '../../../src/server/store/db.js';
import { claimJobs, insertJob } from '../../../src/server/store/jobs.js';
import { listNpmRevisions, listNpmVersions } from '../../../src/server/store/npm.js';
import { versionTagHolders } from '../../../src/server/store/package-tags.js';
import { findLiveVersion } from '../../../src/server/store/packages.js';
import {
  findPythonFile,
  listPythonFiles,
  listPythonRevisions,
} from '../../../src/server/store/python-index.js';
import type { Database as Schema } from '../../../src/server/store/schema.js';

jest.setTimeout(30_000);

let dir: string;
let sqlite: Database.Database;
let db: Kysely<Schema>;
const ran: CompiledQuery[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-name-lookups-'));
  sqlite = new Database(path.join(dir, 'airlock.db'));
  db = new Kysely<Schema>({
    dialect: new SqliteDialect({ database: sqlite }),
    log: (event) => {
      if (event.level === 'query') ran.push(event.query);
    },
  });
  await migrateToLatest(db);
});

afterAll(async () => {
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The plan SQLite makes for each query `work` runs, one line per step. */
async function plansOf(work: () => Promise<unknown>): Promise<string[][]> {
  ran.length = 0;
  await work();
  expect(ran.length).toBeGreaterThan(0);
  return ran.map((q) =>
    (sqlite.prepare(`explain query plan ${q.sql}`).all(...q.parameters) as { detail: string }[]).map(
      (row) => row.detail,
    ),
  );
}

/** Asserts that every step reading `packages` searches it through `index`. */
function expectIndexed(plans: string[][], index: string): void {
  for (const plan of plans) {
    const steps = plan.filter((step) => /\bpackages\b/.test(step));
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps)
      expect(step).toMatch(new RegExp(`^SEARCH packages USING (COVERING )?INDEX ${index} `));
  }
}

describe('lookups of one name use the index of live versions', () => {
  const npm = { format: 'npm', name_key: 'left-pad', version: '1.3.0', filename: 'left-pad-1.3.0.tgz' };
  const wheel = {
    format: 'python',
    name_key: 'requests',
    version: '2.32.3',
    filename: 'requests-2.32.3-py3-none-any.whl',
  };

  it('the version check of a publish, for npm and any format but Python', async () => {
    expectIndexed(await plansOf(() => findLiveVersion(db, 'repo', npm)), 'packages_live_version');
    expectIndexed(
      await plansOf(() => findLiveVersion(db, 'repo', { ...npm, format: 'raw', filename: 'a.bin' })),
      'packages_live_version',
    );
  });

  it('the version check of a Python file', async () => {
    expectIndexed(await plansOf(() => findLiveVersion(db, 'repo', wheel)), 'packages_live_python_file');
  });

  it('the dist-tags held by the other versions of a name', async () => {
    expectIndexed(
      await plansOf(() =>
        versionTagHolders(db, { id: 'p1', repo_id: 'repo', format: 'npm', name_key: 'left-pad' }, ['latest']),
      ),
      'packages_live_version',
    );
  });

  it('a packument and its revision', async () => {
    expectIndexed(await plansOf(() => listNpmVersions(db, 'repo', 'left-pad')), 'packages_live_version');
    expectIndexed(await plansOf(() => listNpmRevisions(db, 'repo', 'left-pad')), 'packages_live_version');
  });

  it("a project page, its revision and a file's download", async () => {
    expectIndexed(await plansOf(() => listPythonFiles(db, 'repo', 'requests')), 'packages_live_python_file');
    expectIndexed(
      await plansOf(() => listPythonRevisions(db, 'repo', 'requests')),
      'packages_live_python_file',
    );
    expectIndexed(
      await plansOf(() => findPythonFile(db, 'repo', wheel.filename, 'requests')),
      'packages_live_python_file',
    );
  });
});

describe('a job claim passes over finished jobs', () => {
  it('searches the claim index by kind and status in each of its statements', async () => {
    const at = new Date('2026-12-06T12:00:00Z');
    const job = { kind: 'scan.package', payload: '{}', dedupeKey: null, maxAttempts: 5, runAt: at, now: at };
    await insertJob(db, { id: 'due', ...job });
    const plans = await plansOf(() =>
      claimJobs(db, { kinds: ['scan.package'], now: at, lockedBy: 'w/1', lockedUntil: at, limit: 1 }),
    );
    // The check for anything to do, the abandoned jobs marked failed, and the claim itself.
    expect(plans).toHaveLength(3);
    for (const plan of plans) {
      const steps = plan.filter((step) => /\bjobs\b/.test(step));
      expect(steps.length).toBeGreaterThan(0);
      for (const step of steps) {
        expect(step).toMatch(
          /^SEARCH jobs USING (COVERING )?INDEX (jobs_claim \(kind=\? AND status=\?|sqlite_autoindex_jobs_1 \(id=\?\))/,
        );
      }
    }
  });
});
