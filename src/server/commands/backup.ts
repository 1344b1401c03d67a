import path from 'node:path';
import { parseArgs } from 'node:util';
import { backupSqliteDeployment } from '../store/backup.js';
import { prepareDataDir } from '../store/data-dir.js';
import { openBlobStore } from '../store/open-blob-store.js';
import { sqliteFile } from '../store/open-stores.js';
import { UsageError, type Io } from './io.js';
import { resolveServerConfig, settingOptions } from './resolve-config.js';

/** `backup --help`: what it copies and how to restore. */
export const BACKUP_HELP = `Usage: airlock-server backup --data-dir DIR --to BACKUP_DIR [--json] [--config FILE]

Makes a consistent copy of an SQLite deployment while it serves: the database (SQLite's online
backup: one point in time, uploads and publishes go on), every blob that copy lists (checked
against its sha256) and the server secret (from --secret-file when one is set). BACKUP_DIR must
be missing or empty.

To restore: stop the service, then either start it on the backup
  airlock-server serve --data-dir BACKUP_DIR
or move the backup into place (keep the old directory until the new one serves)
  mv DIR DIR.old && cp -a BACKUP_DIR DIR && airlock-server serve --data-dir DIR
With a shared --secret-file, copy BACKUP_DIR/secret to that file (or pass --secret-file
BACKUP_DIR/secret). Uploads that were not yet complete when the backup ran are not in it.

On PostgreSQL this command refuses: back the database up with pg_dump (pg_dump -Fc URL >
airlock.dump; restore with pg_restore -d URL airlock.dump), the blob store with your storage's
own tooling, and keep a copy of the secret file.`;

/** `airlock-server backup --data-dir DIR --to BACKUP_DIR`: see {@link BACKUP_HELP}. */
export async function runBackup(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...settingOptions(),
      to: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    io.out(BACKUP_HELP + '\n');
    return 0;
  }
  const config = resolveServerConfig(values, io.env);
  if (config.database.kind !== 'sqlite') {
    io.err(
      'airlock-server backup: this deployment keeps its metadata in PostgreSQL; back it up with pg_dump ' +
        '(pg_dump -Fc URL > airlock.dump) and the blob store with its own tooling. See backup --help.\n',
    );
    return 1;
  }
  if (!values.to) throw new UsageError('backup needs --to BACKUP_DIR.');
  const to = path.resolve(values.to);
  if (to === config.dataDir || to.startsWith(config.dataDir + path.sep))
    throw new UsageError('--to must be outside the data directory.');
  const { secretFile } = prepareDataDir(config.dataDir, config.secretFile);
  const result = await backupSqliteDeployment({
    databaseFile: sqliteFile(config.dataDir),
    // The service may be serving: its uploads in flight are staged in the store.
    blobs: await openBlobStore(config, { keepStaging: true }),
    secretFile,
    to,
  });
  if (values.json) io.out(JSON.stringify({ to, ...result }) + '\n');
  else
    io.out(
      `Backed up ${config.dataDir} to ${to}: the database, ${result.blobs} blobs (${result.bytes} bytes) and the secret.\n`,
    );
  return 0;
}
