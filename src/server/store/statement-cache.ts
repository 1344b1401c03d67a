import type BetterSqlite3 from 'better-sqlite3';
import { ioCounts } from './io-counters.js';
import type { SqliteConnection } from './sqlite-session.js';

/** Most prepared statements kept per connection; the least recently used goes first. */
export const STATEMENT_CACHE_SIZE = 500;

const SYNCHRONOUS = /^\s*pragma\s+synchronous\s*=\s*(\w+)/i;
const COMMIT = /^\s*(commit|end)\b/i;
const WRITE = /^\s*(insert|update|delete|replace)\b/i;

/**
 * Wraps an SQLite connection for Kysely so that each distinct SQL text is prepared once and its
 * statement reused: Kysely prepares every query it runs, and parsing and planning cost more than
 * running the small indexed queries the service mostly makes. A statement still being iterated
 * (a streamed query) is busy and cannot be rebound, so a second use of its text meanwhile gets a
 * fresh, uncached one. `beforeClose` runs before the connection closes. Counts statements and
 * commits in {@link ioCounts}.
 */
export function cachingStatements(
  sqlite: BetterSqlite3.Database,
  beforeClose: () => void = () => undefined,
  size = STATEMENT_CACHE_SIZE,
): SqliteConnection {
  const cache = new Map<string, BetterSqlite3.Statement>();
  // Whether commits of this connection sync the log (db.ts opens it so; group commits relax it).
  let synced = true;
  return {
    get inTransaction() {
      return sqlite.inTransaction;
    },
    close: () => {
      beforeClose();
      sqlite.close();
    },
    prepare(sql: string) {
      // Kysely prepares a statement right before it runs it, so the connection's state now is its state then.
      ioCounts.statements++;
      const mode = SYNCHRONOUS.exec(sql);
      if (mode) synced = mode[1]!.toLowerCase() !== 'normal' && mode[1]!.toLowerCase() !== 'off';
      else if (COMMIT.test(sql) || (!sqlite.inTransaction && WRITE.test(sql))) {
        if (synced) ioCounts.syncedCommits++;
        else ioCounts.groupCommits++;
      }
      const cached = cache.get(sql);
      if (cached) {
        if (cached.busy) return sqlite.prepare(sql);
        // Re-inserting moves it to the end: the map's order is the order of last use.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > size) cache.delete(cache.keys().next().value!);
      return statement;
    },
  };
}
