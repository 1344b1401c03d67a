import { parseArgs } from 'node:util';
import type { ServerConfig } from '../config.js';
import { systemClock } from '../domain/ids.js';
import type { Io, ServerCommand } from './io.js';
import type { Db } from '../store/db.js';
import { openConfiguredDatabase } from '../store/open-stores.js';
import { resolveServerConfig, settingOptions } from './resolve-config.js';
import { enqueueRescans } from '../scan/rescan.js';
import type { ImportResult } from '../scan/advisories/import.js';
import { expandImportPath, importIntoFeeds, type FeedImport } from '../scan/advisories/import-feed.js';
import { runSyncCommand } from './advisories-sync.js';

const USAGE = `Usage: airlock-server advisories import --data-dir DIR [--database-url URL] [--config FILE] [--json] [--verbose] PATH...
       airlock-server advisories sync --data-dir DIR [--source URL] [--ecosystems npm,PyPI,...] [--timeout 60s] [--json]

import: loads OSV advisories into the service's database. Each PATH is an ecosystem's all.zip, a
folder laid out as OSV's bucket (<ecosystem>/all.zip under it), a folder of OSV .json files or one
.json file; a PATH that holds no document is an error. Re-importing is incremental: an archive
identical to the last one imported is skipped, unchanged advisories are skipped, changed ones
replaced, withdrawn ones stop matching.
sync: downloads {source}/{ecosystem}/all.zip (see 'advisories sync --help').
  --data-dir DIR       the service's data directory (env AIRLOCK_DATA_DIR)
  --database-url URL   a PostgreSQL database instead of the data directory's SQLite file (env AIRLOCK_DATABASE_URL)
  --config FILE        the service's YAML config file (env AIRLOCK_CONFIG); every serve setting is read
                       the way serve reads it (see serve --help)
  --json               print one JSON object per PATH (ids added and changed, packages touched)
  --verbose            list every added and changed id`;

const LISTED_IDS = 10;

function listIds(label: string, ids: string[], verbose: boolean): string {
  if (ids.length === 0) return '';
  const shown = verbose ? ids : ids.slice(0, LISTED_IDS);
  const more = ids.length - shown.length;
  return `  ${label}: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}\n`;
}

function describe(result: ImportResult, verbose: boolean): string {
  const seconds = (result.durationMs / 1000).toFixed(1);
  let text =
    `${result.source}: ${result.documents} documents: ${result.added.length} added, ` +
    `${result.changed.length} changed, ${result.skipped} skipped` +
    (result.stale > 0 ? ` (${result.stale} older than stored)` : '') +
    (result.withdrawn > 0 ? `, ${result.withdrawn} withdrawn` : '') +
    (result.invalid.length > 0 ? `, ${result.invalid.length} invalid` : '') +
    `; ${result.touched.length} packages touched, in ${seconds} s\n`;
  text += listIds('added', result.added, verbose);
  text += listIds('changed', result.changed, verbose);
  for (const problem of result.invalid) text += `  invalid ${problem.file}: ${problem.reason}\n`;
  return text;
}

/**
 * Runs `advisories import` (or hands `sync` on): returns 0 when every path imported cleanly, 1 when a path could not
 * be read or held invalid documents (the valid ones are still imported), 2 on a usage error.
 */
export async function runAdvisoriesCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'help' || sub === '--help') {
    io.out(USAGE + '\n');
    return 0;
  }
  if (sub === 'sync') return runSyncCommand(rest, io);
  if (sub !== 'import') {
    io.err(
      `airlock-server advisories: ${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}.\n\n${USAGE}\n`,
    );
    return 2;
  }
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(rest, io.env);
  } catch (err) {
    io.err(
      `airlock-server advisories import: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`,
    );
    return 2;
  }
  const { config, json, verbose, paths } = parsed;
  const db = await openConfiguredDatabase(config);
  let code = 0;
  try {
    for (const source of paths.flatMap(expandImportPath)) {
      try {
        const imported = await importIntoFeeds(db, source, { clock: systemClock });
        code = Math.max(code, await report(db, imported, json, verbose, io));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        io.err(
          `airlock-server advisories import: ${message.startsWith(source) ? message : `${source}: ${message}`}\n`,
        );
        code = 1;
      }
    }
  } finally {
    await db.destroy();
  }
  return code;
}

async function report(
  db: Db,
  imported: FeedImport,
  json: boolean,
  verbose: boolean,
  io: Io,
): Promise<number> {
  if (imported.kind === 'unchanged') {
    io.out(
      json
        ? JSON.stringify({ source: imported.path, unchanged: true, ecosystem: imported.ecosystem }) + '\n'
        : `${imported.path}: unchanged since the last import of ${imported.ecosystem} (same sha256), skipped\n`,
    );
    return 0;
  }
  const { result } = imported;
  const rescans = await enqueueRescans(db, result.touched, new Date());
  io.out(json ? JSON.stringify({ ...result, rescans }) + '\n' : describe(result, verbose));
  if (!json && rescans > 0)
    io.out(`  queued a rescan of ${rescans} package(s) containing a touched component\n`);
  return result.invalid.length > 0 ? 1 : 0;
}

function parseOptions(
  args: string[],
  env: NodeJS.ProcessEnv,
): { config: ServerConfig; json: boolean; verbose: boolean; paths: string[] } {
  const { values, positionals } = parseArgs({
    args,
    options: { ...settingOptions(), json: { type: 'boolean' }, verbose: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  const { json, verbose, ...settings } = values;
  const config = resolveServerConfig(settings, env);
  if (positionals.length === 0)
    throw new Error('name at least one PATH (an all.zip, a folder or a .json file).');
  return { config, json: json ?? false, verbose: verbose ?? false, paths: positionals };
}

/** `airlock-server advisories import|sync`: loads OSV archives into the advisory database, from disk or a source URL. */
export const advisoriesCommand: ServerCommand = {
  name: 'advisories',
  summary: 'import|sync --data-dir DIR ...  import OSV advisories, or sync them from OSV or a mirror',
  run: runAdvisoriesCommand,
};
