import { parseArgs } from 'node:util';
import { parseDuration } from '../../policy/parse-inputs.js';
import { OSV_ARCHIVES_URL, type ServerConfig } from '../config.js';
import { systemClock } from '../domain/ids.js';
import type { Io } from './io.js';
import { openConfiguredDatabase } from '../store/open-stores.js';
import { resolveServerConfig, settingOptions } from './resolve-config.js';
import { redactSource } from '../scan/advisories/feeds.js';
import { acquireSyncLease, currentSyncLease, releaseSyncLease } from '../scan/advisories/lease.js';
import {
  checkSyncSource,
  DEFAULT_SYNC_ECOSYSTEMS,
  syncEcosystem,
  type EcosystemSync,
  type SyncProgress,
} from '../scan/advisories/sync.js';

const USAGE = `Usage: airlock-server advisories sync --data-dir DIR [--database-url URL] [--config FILE] [--source URL]
         [--ecosystems npm,PyPI,Go,crates.io] [--timeout 60s] [--json]

Downloads {source}/{ecosystem}/all.zip for each ecosystem (OSV's layout), conditionally (an
unchanged archive costs a 304), checks it is a zip of OSV documents and imports it incrementally.
A failed, truncated or corrupt download keeps the data already held and exits 1.
  --data-dir DIR       the service's data directory (env AIRLOCK_DATA_DIR)
  --database-url URL   a PostgreSQL database instead of the SQLite file (env AIRLOCK_DATABASE_URL)
  --config FILE        the service's YAML config file (env AIRLOCK_CONFIG); every serve setting is read
                       the way serve reads it (see serve --help)
  --source URL         an OSV mirror: http(s)://…, file://… or a folder (same as --advisories-source;
                       env AIRLOCK_ADVISORIES_SOURCE; default ${OSV_ARCHIVES_URL})
  --ecosystems LIST    OSV ecosystem names, separated by commas (default ${DEFAULT_SYNC_ECOSYSTEMS.join(',')})
  --timeout DURATION   how long a silent server is waited for (default 60s)
  --json               print one JSON object per ecosystem`;

/** Options of {@link runSyncCommand} beyond the arguments, injectable for tests. */
export interface SyncCommandOptions {
  /** Whether stderr is a terminal (a progress line) or not (plain lines). Default: process.stderr.isTTY. */
  tty?: boolean;
}

interface SyncArgs {
  config: ServerConfig;
  source: string;
  ecosystems: string[];
  timeoutMs: number;
  json: boolean;
}

function parseSyncArgs(args: string[], env: NodeJS.ProcessEnv): SyncArgs {
  const { values, positionals } = parseArgs({
    args,
    options: {
      ...settingOptions(),
      source: { type: 'string' },
      ecosystems: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new Error(`unexpected argument '${positionals[0]}'.`);
  const { source: sourceFlag, ecosystems: ecosystemsFlag, timeout, json, ...settings } = values;
  // --source is this command's short name of --advisories-source, and wins over it.
  if (typeof sourceFlag === 'string') checkSyncSource(sourceFlag);
  const config = resolveServerConfig(settings, env);
  const source = (sourceFlag as string | undefined) ?? config.advisories.source;
  const ecosystems = ((ecosystemsFlag as string | undefined) ?? DEFAULT_SYNC_ECOSYSTEMS.join(','))
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (ecosystems.length === 0) throw new Error('--ecosystems names no ecosystem.');
  const bad = ecosystems.find((e) => !/^[A-Za-z0-9][A-Za-z0-9.:_ -]*$/.test(e));
  if (bad) throw new Error(`--ecosystems: '${bad}' is not an OSV ecosystem name.`);
  const timeoutSeconds = parseDuration((timeout as string | undefined) ?? '60s', '--timeout');
  if (timeoutSeconds < 1) throw new Error('--timeout must be at least 1s.');
  return { config, source, ecosystems, timeoutMs: timeoutSeconds * 1000, json: json === true };
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function describe(r: EcosystemSync): string {
  if (r.outcome === 'failed') return `${r.ecosystem}: sync failed: ${r.error}\n`;
  if (r.outcome === 'unchanged') return `${r.ecosystem}: unchanged (${r.location})\n`;
  const i = r.import!;
  return (
    `${r.ecosystem}: updated from ${r.location}: ${i.documents} documents, ${i.added.length} added, ` +
    `${i.changed.length} changed, ${i.skipped} unchanged` +
    (i.withdrawn > 0 ? `, ${i.withdrawn} withdrawn` : '') +
    (r.rescans > 0 ? `; queued a rescan of ${r.rescans} package(s)` : '') +
    '\n'
  );
}

/** A progress line rewritten in place on a terminal. */
function progressLine(io: Io): (p: SyncProgress | null) => void {
  return (p) => {
    if (!p) return io.err('\r\x1b[K');
    const what =
      p.phase === 'download'
        ? `downloading ${mib(p.bytes ?? 0)}${p.total ? ` of ${mib(p.total)} (${Math.floor(((p.bytes ?? 0) * 100) / p.total)}%)` : ''}`
        : p.phase === 'verify'
          ? 'checking the archive'
          : 'importing';
    io.err(`\r\x1b[K${p.ecosystem}: ${what}`);
  };
}

/**
 * Runs `advisories sync`: 0 when every ecosystem synced (or was unchanged), 1 when one failed
 * (its old data kept) or another process holds the sync lease, 2 on a usage error.
 */
export async function runSyncCommand(
  args: string[],
  io: Io,
  options: SyncCommandOptions = {},
): Promise<number> {
  if (args.includes('--help')) {
    io.out(USAGE + '\n');
    return 0;
  }
  let parsed: SyncArgs;
  try {
    parsed = parseSyncArgs(args, io.env);
  } catch (err) {
    io.err(
      `airlock-server advisories sync: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}\n`,
    );
    return 2;
  }
  const tty = options.tty ?? process.stderr.isTTY === true;
  const db = await openConfiguredDatabase(parsed.config);
  const holder = `advisories-sync:${process.pid}`;
  const leaseMs = 15 * 60_000;
  try {
    if (!(await acquireSyncLease(db, holder, systemClock(), leaseMs))) {
      const lease = await currentSyncLease(db, systemClock());
      io.err(
        `airlock-server advisories sync: another process (${lease?.holder ?? 'unknown'}) is syncing advisories` +
          ` until ${lease?.expiresAt ?? 'soon'}; try again later.\n`,
      );
      return 1;
    }
    const progress = tty ? progressLine(io) : null;
    let code = 0;
    for (const ecosystem of parsed.ecosystems) {
      await acquireSyncLease(db, holder, systemClock(), leaseMs);
      if (!tty) io.err(`${ecosystem}: syncing from ${redactSource(parsed.source)}\n`);
      const result = await syncEcosystem(db, ecosystem, {
        source: parsed.source,
        ecosystems: parsed.ecosystems,
        clock: systemClock,
        timeoutMs: parsed.timeoutMs,
        tmpDir: parsed.config.dataDir,
        ...(progress ? { onProgress: progress } : {}),
      });
      progress?.(null);
      if (result.outcome === 'failed') {
        code = 1;
        io.err(`airlock-server advisories sync: ${describe(result)}`);
      }
      if (parsed.json) io.out(JSON.stringify(result) + '\n');
      else if (result.outcome !== 'failed') io.out(describe(result));
    }
    return code;
  } finally {
    await releaseSyncLease(db, holder, systemClock());
    await db.destroy();
  }
}
