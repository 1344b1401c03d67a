import type { Kysely } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as core from './0001-core.js';

/**
 * Every migration, in order. Names are stable: a database records which ones ran.
 * Add a file `NNNN-name.ts` exporting `up` and list it here.
 */
const MIGRATIONS: Record<string, { up(db: Kysely<unknown>): Promise<void> }> = {
  '0001-core': core,
};

/** Kysely migration provider over the statically imported migrations (works inside bundles too). */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  },
};
