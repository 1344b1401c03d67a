import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { recordAudit } from '../../../src/server/domain/audit.js';
import { initOrg } from '../../../src/server/domain/orgs.js';
import { compiledOnce } from '../../../src/server/store/compiled-once.js';
import { openDatabase, type Db } from '../../../src/server/store/db.js';
import { inGroupCommit } from '../../../src/server/store/group-commit.js';
import { cachingStatements } from '../../../src/server/store/statement-cache.js';
import { WalSync } from '../../../src/server/store/wal-sync.js';
import { tempDir } from '../../helpers/server.js';

const SECRET = 'ab'.repeat(32);

async function until(what: string, probe: () => boolean, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !probe();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('SQLite statements prepared once', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('airlock-statements-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reuses the statement of a text, and gives a fresh one while the cached one is being iterated', () => {
    const raw = new SqliteDatabase(path.join(dir, 'a.db'));
    const db = cachingStatements(raw);
    db.prepare('create table t (n integer)').run([]);
    for (const n of [1, 2, 3]) db.prepare('insert into t values (?)').run([n]);
    const text = 'select n from t order by n';
    const first = db.prepare(text) as unknown as SqliteDatabase.Statement;
    expect(db.prepare(text)).toBe(first);
    const seen: number[] = [];
    for (const row of first.iterate() as Iterable<{ n: number }>) {
      // The cached statement is busy here: rebinding it would throw.
      const inner = db.prepare(text);
      expect(inner).not.toBe(first);
      seen.push(row.n, (inner.all([]) as { n: number }[]).length);
    }
    expect(seen).toEqual([1, 3, 2, 3, 3, 3]);
    db.close();
  });
});

describe('queries compiled once', () => {
  let dir: string;
  let db: Db;
  beforeEach(async () => {
    dir = tempDir('airlock-compiled-');
    db = await openDatabase({ kind: 'sqlite', file: path.join(dir, 'airlock.db') });
  });
  afterEach(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('binds the values of each call where the placeholders were, and keeps the constants', async () => {
    await initOrg(db, SECRET, 'acme', new Date());
    await initOrg(db, SECRET, 'umbrella', new Date());
    const find = compiledOnce((d, p: { slug: string }) =>
      d.selectFrom('orgs').select('slug').where('slug', '=', p.slug).where('slug', '!=', 'nobody'),
    );
    expect((await find(db, { slug: 'acme' })).rows).toEqual([{ slug: 'acme' }]);
    expect((await find(db, { slug: 'umbrella' })).rows).toEqual([{ slug: 'umbrella' }]);
    expect((await find(db, { slug: 'nobody' })).rows).toEqual([]);
  });
});

describe('the write-ahead log sync of group commits', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('airlock-wal-sync-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('has nothing to sync when there is no log, and turns unhealthy when a sync fails', async () => {
    const absent = new WalSync(path.join(dir, 'absent-wal'), 1);
    await absent.flush();
    expect(absent.unhealthy).toBe(false);
    // A directory cannot be opened for writing: the sync fails like a failing disk would.
    const broken = new WalSync(dir, 1);
    await expect(broken.flush()).rejects.toThrow(/EISDIR/);
    expect(broken.unhealthy).toBe(true);
  });
});

describe('group commits on SQLite', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('airlock-group-commit-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('commits for other connections to see, checkpoints on its own thread and leaves no log on close', async () => {
    const file = path.join(dir, 'airlock.db');
    const db = await openDatabase({ kind: 'sqlite', file });
    await initOrg(db, SECRET, 'acme', new Date());
    const { id: orgId } = await db.selectFrom('orgs').select('id').executeTakeFirstOrThrow();
    const before = fs.statSync(file).size;
    const filler = 'x'.repeat(4000);
    for (let i = 0; i < 40; i++) {
      await inGroupCommit(db, (trx) =>
        recordAudit(trx, { principal: null, ip: null, system: 'test' }, new Date(), {
          orgId,
          event: 'test.group_commit',
          eventKind: 'action',
          object: `o${i}`,
          objectKind: 'test',
          context: { filler },
        }),
      );
    }
    const other = new SqliteDatabase(file, { readonly: true });
    const seen = other
      .prepare("select count(*) as n from audit_events where event = 'test.group_commit'")
      .get();
    other.close();
    expect(seen).toEqual({ n: 40 });
    // The request thread only checkpoints past 10,000 pages: the file grows by the other thread.
    await until('a background checkpoint', () => fs.statSync(file).size > before + 40 * 4000);
    await db.destroy();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  }, 30_000);
});
