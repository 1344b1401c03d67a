import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { initOrg } from '../../../src/server/domain/orgs.js';
import type { AuditRecord } from '../../../src/server/store/audit.js';
import type { Db } from '../../../src/server/store/db.js';
import { openDatabase } from '../../../src/server/store/db.js';
import { inSqliteGroupCommit } from '../../../src/server/store/group-commit.js';
import { ioCounts } from '../../../src/server/store/io-counters.js';
import { insertProvider, insertTokenWithEvent, type NewOidcToken } from '../../../src/server/store/oidc.js';
import { onSqliteConnection } from '../../../src/server/store/sqlite-session.js';
import { tempDir } from '../../helpers/server.js';
import { onSharedStores, openTestDatabase, TEST_STORES } from '../../helpers/stores.js';

const SECRET = 'cd'.repeat(32);
const NOW = '2026-12-06T12:00:00.000Z';

async function until(what: string, probe: () => boolean, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !probe();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** An org with its admin account and a provider: what a token row refers to. */
async function seed(db: Db): Promise<{ orgId: string; serviceId: string; providerId: string }> {
  await initOrg(db, SECRET, 'acme', new Date(NOW));
  const { id: orgId } = await db.selectFrom('orgs').select('id').executeTakeFirstOrThrow();
  const { id: serviceId } = await db.selectFrom('services').select('id').executeTakeFirstOrThrow();
  await insertProvider(db, {
    id: 'prov1',
    org_id: orgId,
    slug: 'ci',
    name: 'CI',
    enabled: 1,
    provider_url: 'https://issuer.invalid',
    audience: 'airlock',
    claims: {},
    token_ttl_seconds: 3600,
    created_at: NOW,
    created_by: null,
    updated_at: NOW,
  });
  return { orgId, serviceId, providerId: 'prov1' };
}

function tokenOf(ids: { orgId: string; serviceId: string; providerId: string }, n: number): NewOidcToken {
  return {
    id: `tok${n}`,
    key_hash: `hash${n}`,
    org_id: ids.orgId,
    service_id: ids.serviceId,
    provider_id: ids.providerId,
    subject: 'repo:owner/repo',
    identity: { issuer: 'https://issuer.invalid', subject: 'repo:owner/repo' },
    created_at: NOW,
    expires_at: '2026-12-06T13:00:00.000Z',
  };
}

function eventOf(orgId: string, n: number): AuditRecord {
  return {
    id: `evt${n}`,
    org_id: orgId,
    repo_id: null,
    event: 'oidc.exchange',
    event_kind: 'create',
    event_at: NOW,
    actor: 'deployer',
    actor_kind: 'service_account',
    actor_slug_perm: null,
    actor_ip_address: null,
    object: 'deployer',
    object_kind: 'service_account',
    object_slug_perm: null,
    target: null,
    target_kind: null,
    target_slug_perm: null,
    context: { n },
  };
}

async function countRows(db: Db, table: 'oidc_tokens' | 'audit_events', id: string): Promise<number> {
  const rows = await db.selectFrom(table).select('id').where('id', '=', id).execute();
  return rows.length;
}

describe('synchronous statements on the SQLite connection', () => {
  let dir: string;
  let file: string;
  let db: Db;
  beforeEach(async () => {
    dir = tempDir('airlock-sqlite-session-');
    file = path.join(dir, 'airlock.db');
    db = await openDatabase({ kind: 'sqlite', file });
    await db.schema.createTable('t').addColumn('n', 'integer').execute();
  });
  afterEach(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const insert = (n: number) => ({ sql: 'insert into t (n) values (?)', parameters: [n] });
  const all = async () =>
    (
      await db
        .selectFrom('t' as never)
        .select(sql<number>`n`.as('n'))
        .execute()
    ).map((r) => r.n);

  it('runs the work at once when no transaction is open, and is not offered for a transaction', async () => {
    await expect(onSqliteConnection(db, (s) => s.run(insert(1)))).resolves.toBeUndefined();
    expect(await all()).toEqual([1]);
    await db.transaction().execute(async (trx) => {
      expect(onSqliteConnection(trx, () => 1)).toBeNull();
    });
  });

  it('waits for a transaction Kysely has open, so that its work is not rolled back with it', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const opened = new Promise<void>((r) => (inside = r));
    const rolledBack = db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into t (n) values (1)`.execute(trx);
        inside();
        await held;
        throw new Error('roll back');
      })
      .catch((err: unknown) => err);
    await opened;
    const work = onSqliteConnection(db, (s) => s.run(insert(2)));
    release();
    await expect(rolledBack).resolves.toThrow('roll back');
    await work;
    expect(await all()).toEqual([2]);
  });

  it('commits a group commit for other connections to see and syncs the log after it', async () => {
    const groupCommits = ioCounts.groupCommits;
    const syncs = ioCounts.logSyncs;
    await inSqliteGroupCommit(db, (s) => {
      s.run(insert(1));
      s.run(insert(2));
    });
    expect(ioCounts.groupCommits).toBe(groupCommits + 1);
    const other = new SqliteDatabase(file, { readonly: true });
    expect(other.prepare('select count(*) as n from t').get()).toEqual({ n: 2 });
    other.close();
    await until('the shared log sync', () => ioCounts.logSyncs > syncs);
  });

  it('rolls the whole work back when a statement fails, and leaves the connection fully synced', async () => {
    await expect(
      inSqliteGroupCommit(db, (s) => {
        s.run(insert(1));
        s.run({ sql: 'insert into missing (n) values (?)', parameters: [2] });
      }),
    ).rejects.toThrow(/no such table: missing/);
    expect(await all()).toEqual([]);
    // The next statement outside a group commit must sync for itself again.
    const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
    expect(rows[0]!.synchronous).toBe(2);
    await expect(
      inSqliteGroupCommit(db, (s) => {
        s.run(insert(3));
      }),
    ).resolves.toBeUndefined();
    expect(await all()).toEqual([3]);
  });

  it('commits the calls of one turn together, and rolls back only the one that fails', async () => {
    const groupCommits = ioCounts.groupCommits;
    const results = await Promise.allSettled([
      inSqliteGroupCommit(db, (s) => {
        s.run(insert(1));
        return 'first';
      }),
      inSqliteGroupCommit(db, (s) => {
        s.run(insert(2));
        s.run({ sql: 'insert into missing (n) values (?)', parameters: [2] });
      }),
      inSqliteGroupCommit(db, (s) => {
        s.run(insert(3));
        return 'third';
      }),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual([
      'first',
      expect.stringMatching(/no such table: missing/),
      'third',
    ]);
    expect(ioCounts.groupCommits).toBe(groupCommits + 1);
    expect((await all()).sort()).toEqual([1, 3]);
    // Calls of a later turn commit on their own.
    await inSqliteGroupCommit(db, (s) => s.run(insert(4)));
    expect(ioCounts.groupCommits).toBe(groupCommits + 2);
    const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
    expect(rows[0]!.synchronous).toBe(2);
  });
});

describe(`a token and its audit event stored together (${TEST_STORES})`, () => {
  let dir: string;
  let db: Db;
  let ids: { orgId: string; serviceId: string; providerId: string };
  beforeEach(async () => {
    dir = tempDir('airlock-token-event-');
    db = await openTestDatabase(path.join(dir, 'airlock.db'));
    ids = await seed(db);
  });
  afterEach(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores both rows, the identity and context readable', async () => {
    await insertTokenWithEvent(db, tokenOf(ids, 1), eventOf(ids.orgId, 1));
    const token = await db.selectFrom('oidc_tokens').selectAll().executeTakeFirstOrThrow();
    expect(token).toMatchObject({ id: 'tok1', key_hash: 'hash1', revoked_at: null });
    expect(JSON.parse(token.identity)).toEqual({
      issuer: 'https://issuer.invalid',
      subject: 'repo:owner/repo',
    });
    const event = await db
      .selectFrom('audit_events')
      .select(['id', 'context'])
      .where('event', '=', 'oidc.exchange')
      .executeTakeFirstOrThrow();
    expect(event.id).toBe('evt1');
    expect(JSON.parse(event.context)).toEqual({ n: 1 });
  });

  it('stores neither row when one of them cannot be stored', async () => {
    await insertTokenWithEvent(db, tokenOf(ids, 1), eventOf(ids.orgId, 1));
    // The event's id is taken: the token must not stay behind without its event.
    await expect(insertTokenWithEvent(db, tokenOf(ids, 2), eventOf(ids.orgId, 1))).rejects.toThrow(
      /unique|duplicate/i,
    );
    expect(await countRows(db, 'oidc_tokens', 'tok2')).toBe(0);
  });

  it('leaves the connection committing durably afterwards', async () => {
    if (onSharedStores()) {
      // One connection throughout: the relaxed setting lasts only for the statement's own commit.
      await db.connection().execute(async (conn) => {
        await sql`set synchronous_commit = on`.execute(conn);
        await insertTokenWithEvent(conn, tokenOf(ids, 1), eventOf(ids.orgId, 1));
        const { rows } = await sql<{ s: string }>`select current_setting('synchronous_commit') as s`.execute(
          conn,
        );
        expect(rows[0]!.s).toBe('on');
      });
      expect(await countRows(db, 'oidc_tokens', 'tok1')).toBe(1);
    } else {
      await insertTokenWithEvent(db, tokenOf(ids, 1), eventOf(ids.orgId, 1));
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
      expect(rows[0]!.synchronous).toBe(2);
    }
  });
});
