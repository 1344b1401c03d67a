import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Db } from './db.js';
import { isPostgres } from './jobs.js';
import { dbOf, type DbSource } from './source.js';

/** Stand-ins for a query's parameters while it is built: `p.name` is the value of `name`. */
export type Placeholders<P> = { readonly [K in keyof P]: P[K] };

const MARK = '\u0000airlock-parameter:';

/**
 * A query built with Kysely once per dialect and then run with fresh parameter values, for the
 * few queries on hot paths (every token exchange, every audit event): building and compiling a
 * query costs more than SQLite takes to run a small indexed one. `build` receives placeholders
 * where the values go; each must end up as a bound parameter of the query (as a compared,
 * inserted or set value does), never as SQL text. Values that are not placeholders are kept
 * as they were compiled; an undefined value is bound as NULL.
 */
export function compiledOnce<P extends Record<string, unknown>, R>(
  build: (db: Db, p: Placeholders<P>) => Compilable<R>,
): (source: DbSource, values: P) => Promise<QueryResult<R>> {
  const compiled = new Map<boolean, { query: CompiledQuery<R>; slots: (keyof P | null)[] }>();
  const placeholders = new Proxy({} as Placeholders<P>, {
    get: (_target, name) => `${MARK}${String(name)}`,
  });
  const compile = (db: Db) => {
    const query = build(db, placeholders).compile();
    const slots = query.parameters.map((value) =>
      typeof value === 'string' && value.startsWith(MARK) ? (value.slice(MARK.length) as keyof P) : null,
    );
    return { query, slots };
  };
  return async (source, values) => {
    const db = dbOf(source);
    const dialect = isPostgres(db);
    let entry = compiled.get(dialect);
    if (!entry) {
      entry = compile(db);
      compiled.set(dialect, entry);
    }
    const { query, slots } = entry;
    const parameters = slots.map((slot, i) => (slot === null ? query.parameters[i] : (values[slot] ?? null)));
    return db.executeQuery<R>({ ...query, parameters });
  };
}
