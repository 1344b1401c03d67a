import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from './app.js';
import { parseConfig, type ServerConfigInput } from './config.js';
import { settleWithin, stopTasks } from './domain/background.js';
import { initOrg } from './domain/orgs.js';
import { allowListProblems } from './net/address-policy.js';
import { openDatabase } from './store/db.js';
import { prepareDataDir } from './store/data-dir.js';
import { SERVER_COMMANDS, type ServerCommand } from './commands.js';
import { parseDuration } from '../policy/parse-inputs.js';
import { hasAnyAdvisory } from './scan/advisories/feeds.js';
import { checkSyncSource } from './scan/advisories/sync.js';

const USAGE = `Usage: airlock-server <command> [options]

Commands:
  init     --data-dir DIR --org SLUG [--json]   create the data directory, the org and its admin key
  serve    --data-dir DIR [--host H] [--port P] serve the repository API (env AIRLOCK_DATA_DIR, HOST, PORT)
  start    init (if needed) + serve on 127.0.0.1:8080 with ./.airlock-data
${SERVER_COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}
Options for serve: --database-url postgres://… (env AIRLOCK_DATABASE_URL), --public-url URL,
  --allow-loopback-issuers (http issuers on loopback; implies loopback for issuer fetches),
  --outbound-allow LIST (env AIRLOCK_OUTBOUND_ALLOW): comma-separated CIDRs and host patterns
    (10.20.0.0/16, 127.0.0.1/32, *.corp.example) whose loopback/private addresses webhook
    deliveries and OIDC issuer fetches may reach, e.g. a Jenkins on the internal network,
  --log-level LEVEL,
  --advisories-sync-interval DURATION (6h, 30m, 0 = off; env AIRLOCK_ADVISORIES_SYNC_INTERVAL; default 6h),
  --advisories-source URL (an OSV mirror: http(s)://, file:// or a folder; env AIRLOCK_ADVISORIES_SOURCE),
  --blob-store s3://BUCKET (env AIRLOCK_BLOB_STORE; default: files under the data directory),
    --s3-endpoint URL, --s3-region R, --s3-force-path-style true|false (env AIRLOCK_S3_ENDPOINT,
    AIRLOCK_S3_REGION, AIRLOCK_S3_FORCE_PATH_STYLE); credentials from the AWS SDK's default chain;
    --s3-presign-downloads (env AIRLOCK_S3_PRESIGN_DOWNLOADS=true): downloads redirect to the bucket`;

/** How long a signalled shutdown may take before the service stops waiting and drops connections. */
const SHUTDOWN_DEADLINE_MS = 10_000;
/** How long background tasks get to stop (in-flight work is aborted and put back). */
const TASK_STOP_MS = 5_000;

/** `--outbound-allow` (or AIRLOCK_OUTBOUND_ALLOW): a comma list, each entry checked. */
function outboundAllow(
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): string[] {
  const text = (values['outbound-allow'] as string | undefined) ?? env.AIRLOCK_OUTBOUND_ALLOW ?? '';
  const allow = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const problems = allowListProblems(allow);
  if (problems.length > 0) throw new UsageError(`--outbound-allow: ${problems.join(' ')}`);
  return allow;
}

/** Output streams, injectable for tests. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

/** A usage error: printed with the usage text, exit code 2. */
class UsageError extends Error {
  override name = 'UsageError';
}

/** What `start` prints when the advisory database is empty: every scan would pass until it is filled. */
function emptyAdvisoriesHint(dataDir: string): string {
  return (
    `No vulnerability advisories are loaded yet, so scans cannot find anything. Unless\n` +
    `--advisories-sync-interval is 0, the service syncs them from OSV in the background\n` +
    `(see GET /status/advisories/); to fill them now:\n` +
    `  npx airlock-server advisories sync --data-dir ${dataDir}\n` +
    `offline, from the small bundled subset or an OSV mirror folder (<ecosystem>/all.zip):\n` +
    `  npx airlock-server advisories import --data-dir ${dataDir} test/fixtures/advisories\n`
  );
}

/** `--advisories-sync-interval` / `--advisories-source` (or their env): `serve` syncs every 6 hours unless told otherwise. */
function advisorySyncSettings(
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): { syncIntervalSeconds: number; source?: string } {
  const interval =
    (values['advisories-sync-interval'] as string | undefined) ??
    env.AIRLOCK_ADVISORIES_SYNC_INTERVAL ??
    '6h';
  const source = (values['advisories-source'] as string | undefined) ?? env.AIRLOCK_ADVISORIES_SOURCE;
  try {
    if (source) checkSyncSource(source);
    return {
      syncIntervalSeconds: parseDuration(interval, '--advisories-sync-interval'),
      ...(source ? { source } : {}),
    };
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** `--blob-store s3://BUCKET` and the `--s3-*` settings (or their env); undefined for files on disk. */
function blobStoreSettings(
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): ServerConfigInput['blobs'] {
  const pick = (flag: string, name: string): string | undefined =>
    (values[flag] as string | undefined) ?? (env[name] || undefined);
  const store = pick('blob-store', 'AIRLOCK_BLOB_STORE');
  const endpoint = pick('s3-endpoint', 'AIRLOCK_S3_ENDPOINT');
  const region = pick('s3-region', 'AIRLOCK_S3_REGION');
  const pathStyle = pick('s3-force-path-style', 'AIRLOCK_S3_FORCE_PATH_STYLE');
  const presign = values['s3-presign-downloads'] === true || env.AIRLOCK_S3_PRESIGN_DOWNLOADS === 'true';
  if (store === undefined || store === 'fs') {
    if (endpoint ?? region ?? pathStyle ?? (presign || undefined))
      throw new UsageError(
        '--s3-endpoint, --s3-region, --s3-force-path-style and --s3-presign-downloads need --blob-store s3://BUCKET.',
      );
    return undefined;
  }
  const bucket = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/?$/.exec(store)?.[1];
  if (!bucket)
    throw new UsageError(`--blob-store must be s3://BUCKET (a valid bucket name) or fs, got '${store}'.`);
  if (pathStyle !== undefined && pathStyle !== 'true' && pathStyle !== 'false')
    throw new UsageError(`--s3-force-path-style must be true or false, got '${pathStyle}'.`);
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint))
    throw new UsageError(`--s3-endpoint must be an http(s):// URL, got '${endpoint}'.`);
  return {
    kind: 's3',
    bucket,
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(pathStyle ? { forcePathStyle: pathStyle === 'true' } : {}),
    ...(presign ? { presignDownloads: true } : {}),
  } as ServerConfigInput['blobs'];
}

function serverConfigFrom(
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): ServerConfigInput {
  const dataDir = (values['data-dir'] as string | undefined) ?? env.AIRLOCK_DATA_DIR;
  if (!dataDir) throw new UsageError('--data-dir (or AIRLOCK_DATA_DIR) is required.');
  const portText = (values.port as string | undefined) ?? env.PORT;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, got '${portText}'.`);
  }
  const dbUrl = (values['database-url'] as string | undefined) ?? env.AIRLOCK_DATABASE_URL;
  const blobs = blobStoreSettings(values, env);
  return {
    dataDir,
    host: (values.host as string | undefined) ?? env.HOST ?? '127.0.0.1',
    ...(port === undefined ? {} : { port }),
    ...(dbUrl ? { database: { kind: 'postgres' as const, url: dbUrl } } : {}),
    ...(values['public-url'] ? { publicUrl: values['public-url'] as string } : {}),
    ...(values['allow-loopback-issuers'] ? { allowLoopbackIssuers: true } : {}),
    outbound: { allow: outboundAllow(values, env) },
    ...(values['log-level'] ? { logLevel: values['log-level'] as 'info' } : {}),
    advisories: advisorySyncSettings(values, env),
    ...(blobs ? { blobs } : {}),
  };
}

async function runInit(
  dataDir: string,
  org: string,
  json: boolean,
  io: Io,
  databaseUrl?: string,
): Promise<number> {
  const config = parseConfig({
    dataDir,
    ...(databaseUrl ? { database: { kind: 'postgres', url: databaseUrl } } : {}),
  });
  const { secret } = prepareDataDir(config.dataDir);
  const db = await openDatabase(
    config.database.kind === 'sqlite'
      ? { kind: 'sqlite', file: path.join(config.dataDir, 'airlock.db') }
      : { kind: 'postgres', url: config.database.url },
  );
  try {
    const result = await initOrg(db, secret, org, new Date());
    if (result.created) {
      if (json)
        io.out(JSON.stringify({ org: result.org, service: result.service, api_key: result.apiKey }) + '\n');
      else {
        io.out(`Created org '${result.org}' and its admin service account '${result.service}'.\n`);
        io.out(`API key (shown once, keep it secret): ${result.apiKey}\n`);
      }
    } else {
      const text = `Org '${result.org}' already exists in ${config.dataDir}; nothing changed.`;
      if (json)
        io.out(
          JSON.stringify({ org: result.org, service: result.service, api_key: null, existed: true }) + '\n',
        );
      else io.out(text + '\n');
    }
    return 0;
  } finally {
    await db.destroy();
  }
}

async function runServe(
  input: ServerConfigInput,
  io: Io,
  onReady?: (url: string, state: { advisoriesHeld: boolean }) => void,
): Promise<number> {
  const config = parseConfig(input);
  const { app, ctx, tasks } = await buildApp(config);
  const advisoriesHeld = await hasAnyAdvisory(ctx.db);
  if (!advisoriesHeld) {
    // Without advisories every scan passes: say so loudly rather than report "0 vulnerabilities".
    app.log.warn(
      { sync_interval_seconds: config.advisories.syncIntervalSeconds },
      config.advisories.syncIntervalSeconds > 0
        ? 'the advisory database is empty: scans find nothing until the first advisory sync completes'
        : 'the advisory database is empty and scheduled sync is off: run `airlock-server advisories sync` or `advisories import`',
    );
  }
  await app.listen({ host: config.host, port: config.port });
  onReady?.(ctx.baseUrl, { advisoriesHeld });
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      app.log.info({ signal }, 'shutting down');
      // Background work first, all at once and bounded: in-flight webhook deliveries are aborted
      // and put back in the queue, so a receiver that never answers cannot hold the process.
      const closing = stopTasks(tasks, TASK_STOP_MS).then(async (left) => {
        if (left.length > 0) app.log.warn({ tasks: left }, 'background tasks still busy at shutdown');
        await app.close();
      });
      closing.catch((err: unknown) => {
        io.err(`Shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
      });
      void settleWithin([closing], SHUTDOWN_DEADLINE_MS).then((done) => {
        if (!done) {
          io.err(`Shutdown took over ${SHUTDOWN_DEADLINE_MS / 1000} s; dropping open connections.\n`);
          app.server.closeAllConnections();
        }
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

/** Runs the `airlock-server` command line; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const extra = SERVER_COMMANDS.find((c: ServerCommand) => c.name === command);
    if (extra) return await extra.run(rest, io);
    const { values } = parseArgs({
      args: rest,
      options: {
        'data-dir': { type: 'string' },
        org: { type: 'string' },
        json: { type: 'boolean' },
        host: { type: 'string' },
        port: { type: 'string' },
        'database-url': { type: 'string' },
        'public-url': { type: 'string' },
        'allow-loopback-issuers': { type: 'boolean' },
        'outbound-allow': { type: 'string' },
        'log-level': { type: 'string' },
        'advisories-sync-interval': { type: 'string' },
        'advisories-source': { type: 'string' },
        'blob-store': { type: 'string' },
        's3-endpoint': { type: 'string' },
        's3-region': { type: 'string' },
        's3-force-path-style': { type: 'string' },
        's3-presign-downloads': { type: 'boolean' },
      },
      strict: true,
    });
    switch (command) {
      case 'init': {
        const dataDir = values['data-dir'] ?? io.env.AIRLOCK_DATA_DIR;
        if (!dataDir) throw new UsageError('init needs --data-dir DIR.');
        if (!values.org) throw new UsageError('init needs --org SLUG.');
        return await runInit(
          dataDir,
          values.org,
          values.json ?? false,
          io,
          values['database-url'] ?? io.env.AIRLOCK_DATABASE_URL,
        );
      }
      case 'serve':
        return await runServe(serverConfigFrom(values, io.env), io);
      case 'start': {
        const dataDir = path.resolve(values['data-dir'] ?? io.env.AIRLOCK_DATA_DIR ?? '.airlock-data');
        const org = values.org ?? 'acme';
        const keyFile = path.join(dataDir, 'admin-key');
        const lines: string[] = [];
        const code = await runInit(dataDir, org, true, { ...io, out: (t) => lines.push(t) });
        if (code !== 0) return code;
        const created = JSON.parse(lines.join('')) as { api_key: string | null; service: string };
        if (created.api_key) fs.writeFileSync(keyFile, created.api_key + '\n', { mode: 0o600 });
        return await runServe(
          {
            ...serverConfigFrom({ ...values, 'data-dir': dataDir }, io.env),
            port: Number(values.port ?? io.env.PORT ?? 8080),
          },
          io,
          (url, state) =>
            io.err(
              `Airlock repository service on ${url} (org '${org}', admin service account '${created.service}').\n` +
                `Admin API key: ${fs.existsSync(keyFile) ? `in ${keyFile}` : 'shown once when the org was created'}.\n` +
                (state.advisoriesHeld ? '' : emptyAdvisoriesHint(dataDir)),
            ),
        );
      }
      case undefined:
      case '--help':
      case 'help':
        io.out(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command '${command}'.`);
    }
  } catch (err) {
    if (
      err instanceof UsageError ||
      (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      io.err(`airlock-server: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    io.err(`airlock-server: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
