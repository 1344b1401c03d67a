import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../../../src/server/store/db.js';
import { migrationProvider } from '../../../src/server/store/migrations/index.js';
import { postgresAvailable, startPostgres, type TestPostgres } from '../../helpers/postgres.js';

const DB_MODULE = fileURLToPath(new URL('../../../lib/src/server/store/db.js', import.meta.url));

/** A separate process that opens (and so migrates) the database, as a replica does at start. */
function migrateInProcess(url: string): Promise<{ stdout: string }> {
  const script = `
    const { openDatabase } = await import(${JSON.stringify(DB_MODULE)});
    const db = await openDatabase({ kind: 'postgres', url: ${JSON.stringify(url)} });
    await db.destroy();
    process.stdout.write('migrated');
  `;
  return promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
}

(postgresAvailable() ? describe : describe.skip)('migrations on PostgreSQL', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(() => pg.stop());

  it('run once when several processes start on one fresh database at the same moment', async () => {
    const results = await Promise.all([1, 2, 3].map(() => migrateInProcess(pg.url)));
    expect(results.map((r) => r.stdout)).toEqual(['migrated', 'migrated', 'migrated']);

    const db = await openDatabase({ kind: 'postgres', url: pg.url });
    try {
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        db,
      );
      const expected = Object.keys(await migrationProvider.getMigrations()).sort();
      expect(applied.rows.map((r) => r.name)).toEqual(expected);
      // The schema is whole: a table from the last migration answers.
      await sql`select count(*) from advisory_feeds`.execute(db);
    } finally {
      await db.destroy();
    }
  }, 120_000);
});
