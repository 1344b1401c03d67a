import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Db } from './db.js';
import { dbOf, isPostgres, type DbSource } from './source.js';

/** Stand-ins for a query's parameters while it is built: `p.name` is the value of `name`. */
export type Placeholders<P> = { readonly [K in keyof P]: P[K] };

/** A query's SQL text and the values of its parameters, for a caller that runs it itself. */
export interface BoundQuery {
  sql: string;
  parameters: readonly unknown[];
}

/** A query compiled once per dialect: run through Kysely, or bound for a caller that runs it. */
export interface CompiledOnceQuery<P, R> {
  (source: DbSource, values: P): Promise<QueryResult<R>>;
  /** The query's SQL for the source's database and its parameters for `values`. */
  bind(source: DbSource, values: P): BoundQuery;
}

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
): CompiledOnceQuery<P, R> {
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
  const entryFor = (db: Db) => {
    const dialect = isPostgres(db);
    let entry = compiled.get(dialect);
    if (!entry) {
      entry = compile(db);
      compiled.set(dialect, entry);
    }
    return entry;
  };
  const parametersOf = (db: Db, values: P) => {
    const { query, slots } = entryFor(db);
    return slots.map((slot, i) => (slot === null ? query.parameters[i] : (values[slot] ?? null)));
  };
  const run = async (source: DbSource, values: P) => {
    const db = dbOf(source);
    const parameters = parametersOf(db, values);
    return db.executeQuery<R>({ ...entryFor(db).query, parameters });
  };
  return Object.assign(run, {
    bind(source: DbSource, values: P): BoundQuery {
      const db = dbOf(source);
      return { sql: entryFor(db).query.sql, parameters: parametersOf(db, values) };
    },
  });
}
