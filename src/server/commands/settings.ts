/**
 * Every setting of the service, once: its config-file key (as nested in the config schema), its
 * flag, its environment variables, how its text is read, what it means and its default. Flag
 * parsing, `serve --help` and the settings table in docs/self-hosting.md all come from here.
 */

/** How a setting's text (from a flag or the environment) is read. */
export type SettingKind =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'list'
  | 'integer-list'
  | 'duration'
  | 'trust-proxy'
  | 'database-url'
  | 'blob-store'
  | 'url'
  | 'log-level';

/** One setting. */
export interface Setting {
  /** Config-file key, dot-separated as nested in the schema (`limits.uploadBytes`). */
  key: string;
  /** Flag without the leading dashes. */
  flag: string;
  /** Environment variables, the first one preferred. */
  env: string[];
  kind: SettingKind;
  /** What the value looks like in the help text. */
  value: string;
  description: string;
  /** The default as shown to people. */
  default: string;
}

const s = (
  key: string,
  flag: string,
  env: string | string[],
  kind: SettingKind,
  value: string,
  description: string,
  defaultText: string,
): Setting => ({
  key,
  flag,
  env: typeof env === 'string' ? [env] : env,
  kind,
  value,
  description,
  default: defaultText,
});

/** The settings, in the order `serve --help` lists them. */
export const SETTINGS: readonly Setting[] = [
  s(
    'dataDir',
    'data-dir',
    'AIRLOCK_DATA_DIR',
    'string',
    'DIR',
    'data directory: SQLite database, blobs, secret',
    '(required)',
  ),
  s('host', 'host', ['AIRLOCK_HOST', 'HOST'], 'string', 'HOST', 'address to listen on', '127.0.0.1'),
  s(
    'port',
    'port',
    ['AIRLOCK_PORT', 'PORT'],
    'integer',
    'PORT',
    'port to listen on (0: any free port)',
    '8080',
  ),
  s(
    'publicUrl',
    'public-url',
    'AIRLOCK_PUBLIC_URL',
    'string',
    'URL',
    'base URL clients reach the service at (upload and download links)',
    'http://HOST:PORT',
  ),
  s(
    'trustProxy',
    'trust-proxy',
    'AIRLOCK_TRUST_PROXY',
    'trust-proxy',
    'true|false|HOPS|CIDR,...',
    'believe X-Forwarded-For/-Proto/-Host from these proxies: all, none, a hop count, or addresses/CIDRs',
    'false',
  ),
  s(
    'secretFile',
    'secret-file',
    'AIRLOCK_SECRET_FILE',
    'string',
    'FILE',
    'server secret shared by replicas (created 0600 when missing)',
    'DIR/secret',
  ),
  s(
    'database.url',
    'database-url',
    'AIRLOCK_DATABASE_URL',
    'database-url',
    'postgres://...',
    'PostgreSQL database instead of the SQLite file',
    '(SQLite in DIR)',
  ),
  s(
    'database.poolSize',
    'database-pool-size',
    'AIRLOCK_DATABASE_POOL_SIZE',
    'integer',
    'N',
    'PostgreSQL connections per process at most',
    '10',
  ),
  s('blobs', 'blob-store', 'AIRLOCK_BLOB_STORE', 'blob-store', 'fs|s3://BUCKET', 'where blobs live', 'fs'),
  s('blobs.endpoint', 's3-endpoint', 'AIRLOCK_S3_ENDPOINT', 'url', 'URL', 'S3 API endpoint', "(the SDK's)"),
  s('blobs.region', 's3-region', 'AIRLOCK_S3_REGION', 'string', 'REGION', 'S3 region', 'us-east-1'),
  s(
    'blobs.forcePathStyle',
    's3-force-path-style',
    'AIRLOCK_S3_FORCE_PATH_STYLE',
    'boolean',
    '',
    'address buckets by path, not by host name',
    'true',
  ),
  s(
    'blobs.presignDownloads',
    's3-presign-downloads',
    'AIRLOCK_S3_PRESIGN_DOWNLOADS',
    'boolean',
    '',
    'answer downloads with a redirect to a presigned bucket URL (5 minutes)',
    'false',
  ),
  s(
    'limits.jsonBodyBytes',
    'limits-json-body-bytes',
    'AIRLOCK_LIMITS_JSON_BODY_BYTES',
    'integer',
    'BYTES',
    'largest JSON request body',
    '1048576',
  ),
  s(
    'limits.uploadBytes',
    'limits-upload-bytes',
    'AIRLOCK_LIMITS_UPLOAD_BYTES',
    'integer',
    'BYTES',
    'largest upload (or assembled multipart upload)',
    '5368709120',
  ),
  s(
    'limits.uploadTtlSeconds',
    'limits-upload-ttl-seconds',
    'AIRLOCK_LIMITS_UPLOAD_TTL_SECONDS',
    'integer',
    'SECONDS',
    'how long an unfinished upload is kept',
    '3600',
  ),
  s(
    'limits.requestsPerHour',
    'limits-requests-per-hour',
    'AIRLOCK_LIMITS_REQUESTS_PER_HOUR',
    'integer',
    'N',
    'requests per hour per caller (0: no throttling)',
    '36000',
  ),
  s(
    'limits.failedAuthPerHour',
    'limits-failed-auth-per-hour',
    'AIRLOCK_LIMITS_FAILED_AUTH_PER_HOUR',
    'integer',
    'N',
    'requests with bad credentials per hour per address (0: off)',
    '100',
  ),
  s(
    'scan.maxComponents',
    'scan-max-components',
    'AIRLOCK_SCAN_MAX_COMPONENTS',
    'integer',
    'N',
    'distinct components evaluated per package',
    '100000',
  ),
  s(
    'scan.maxManifestBytes',
    'scan-max-manifest-bytes',
    'AIRLOCK_SCAN_MAX_MANIFEST_BYTES',
    'integer',
    'BYTES',
    'manifest, lockfile and SBOM bytes parsed per package',
    '134217728',
  ),
  s(
    'scan.maxComponentEntries',
    'scan-max-component-entries',
    'AIRLOCK_SCAN_MAX_COMPONENT_ENTRIES',
    'integer',
    'N',
    'component entries read from manifests per package',
    '1000000',
  ),
  s(
    'scan.workerHeapMb',
    'scan-worker-heap-mb',
    'AIRLOCK_SCAN_WORKER_HEAP_MB',
    'integer',
    'MIB',
    'heap cap of each scan worker process',
    '512',
  ),
  s(
    'scan.workers',
    'scan-workers',
    'AIRLOCK_SCAN_WORKERS',
    'integer',
    'N',
    'scan worker processes (0: one per two cores, 1 to 4)',
    '0',
  ),
  s(
    'scan.workerMaxScans',
    'scan-worker-max-scans',
    'AIRLOCK_SCAN_WORKER_MAX_SCANS',
    'integer',
    'N',
    'scans a worker process runs before a fresh one replaces it',
    '1000',
  ),
  s(
    'scan.workerRecycleMb',
    'scan-worker-recycle-mb',
    'AIRLOCK_SCAN_WORKER_RECYCLE_MB',
    'integer',
    'MIB',
    'resident memory of a worker above which it is replaced after its scan',
    '256',
  ),
  s(
    'scan.workerIdleSeconds',
    'scan-worker-idle-seconds',
    'AIRLOCK_SCAN_WORKER_IDLE_SECONDS',
    'integer',
    'SECONDS',
    'how long a worker process waits for a scan before it is stopped (0: it stays)',
    '600',
  ),
  s(
    'scan.timeoutSeconds',
    'scan-timeout-seconds',
    'AIRLOCK_SCAN_TIMEOUT_SECONDS',
    'integer',
    'SECONDS',
    'how long one scan may run',
    '600',
  ),
  s(
    'npm.unpublishWindowSeconds',
    'npm-unpublish-window-seconds',
    'AIRLOCK_NPM_UNPUBLISH_WINDOW_SECONDS',
    'integer',
    'SECONDS',
    'how long after publishing `npm unpublish` may remove a version (0: never)',
    '259200',
  ),
  s(
    'webhooks.retryDelaysSeconds',
    'webhooks-retry-delays-seconds',
    'AIRLOCK_WEBHOOKS_RETRY_DELAYS_SECONDS',
    'integer-list',
    'S,S,...',
    'wait before each retry of a failed delivery (its length bounds the attempts)',
    '10,60,300,900,3600',
  ),
  s(
    'webhooks.timeoutSeconds',
    'webhooks-timeout-seconds',
    'AIRLOCK_WEBHOOKS_TIMEOUT_SECONDS',
    'integer',
    'SECONDS',
    'how long one delivery may take',
    '10',
  ),
  s(
    'webhooks.maxConcurrent',
    'webhooks-max-concurrent',
    'AIRLOCK_WEBHOOKS_MAX_CONCURRENT',
    'integer',
    'N',
    'deliveries in flight at once',
    '16',
  ),
  s(
    'webhooks.maxPerTarget',
    'webhooks-max-per-target',
    'AIRLOCK_WEBHOOKS_MAX_PER_TARGET',
    'integer',
    'N',
    'deliveries in flight at once to one receiver',
    '2',
  ),
  s(
    'webhooks.disableAfterFailedDeliveries',
    'webhooks-disable-after-failed-deliveries',
    'AIRLOCK_WEBHOOKS_DISABLE_AFTER_FAILED_DELIVERIES',
    'integer',
    'N',
    'failed deliveries in a row before a webhook is disabled',
    '5',
  ),
  s(
    'advisories.syncIntervalSeconds',
    'advisories-sync-interval',
    'AIRLOCK_ADVISORIES_SYNC_INTERVAL',
    'duration',
    'DURATION',
    'time between advisory syncs (6h, 30m; 0: off); in the config file, seconds',
    '6h',
  ),
  s(
    'advisories.source',
    'advisories-source',
    'AIRLOCK_ADVISORIES_SOURCE',
    'string',
    'URL',
    'OSV mirror advisories sync from: http(s)://, file:// or a folder',
    '(OSV)',
  ),
  s(
    'outbound.allow',
    'outbound-allow',
    'AIRLOCK_OUTBOUND_ALLOW',
    'list',
    'LIST',
    'CIDRs and host patterns (10.20.0.0/16, *.corp.example): once set, the only private addresses webhooks and OIDC fetches may reach (all private ones while unset; loopback only when listed)',
    '(none)',
  ),
  s(
    'allowLoopbackIssuers',
    'allow-loopback-issuers',
    'AIRLOCK_ALLOW_LOOPBACK_ISSUERS',
    'boolean',
    '',
    'accept http:// OIDC issuers on loopback (development only)',
    'false',
  ),
  s(
    'metrics.token',
    'metrics-token',
    'AIRLOCK_METRICS_TOKEN',
    'string',
    'TOKEN',
    'bearer token GET /metrics requires; when empty it answers loopback clients only',
    '(none)',
  ),
  s(
    'logLevel',
    'log-level',
    'AIRLOCK_LOG_LEVEL',
    'log-level',
    'LEVEL',
    'fatal, error, warn, info, debug, trace or silent',
    'info',
  ),
];

/** The flag that names the YAML config file, and its environment variable. */
export const CONFIG_FILE_FLAG = 'config';
export const CONFIG_FILE_ENV = 'AIRLOCK_CONFIG';

/** The setting behind a config-file path (`/limits/uploadBytes` or `limits.uploadBytes`), if any. */
export function settingAt(pointer: string): Setting | undefined {
  const key = pointer.replace(/^\//, '').replaceAll('/', '.');
  return (
    SETTINGS.find((setting) => setting.key === key) ??
    (key.startsWith('blobs.') || key === 'database' || key === 'database.kind'
      ? SETTINGS.find((setting) => setting.key === (key.startsWith('blobs.') ? 'blobs' : 'database.url'))
      : undefined)
  );
}

/** Where a setting can be given, for error messages: `--port (env AIRLOCK_PORT, config key port)`. */
export function describeSetting(setting: Setting): string {
  return `--${setting.flag} (env ${setting.env.join(' or ')}, config key ${setting.key})`;
}

/** The `serve --help` lines for every setting. */
export function settingsHelp(): string {
  const lines = [
    `  --${CONFIG_FILE_FLAG} FILE`,
    `      YAML file whose keys mirror the settings' config keys (env ${CONFIG_FILE_ENV})`,
  ];
  for (const setting of SETTINGS) {
    lines.push(`  --${setting.flag}${setting.value ? ` ${setting.value}` : ''}`);
    lines.push(`      ${setting.description}`);
    lines.push(`      env ${setting.env.join(', ')}; config ${setting.key}; default ${setting.default}`);
  }
  return lines.join('\n');
}

/** The settings as a Markdown table, as docs/self-hosting.md carries it. */
export function settingsMarkdown(): string {
  // A pipe inside a cell would end it, even inside backticks.
  const cell = (text: string): string => text.replaceAll('|', '\\|');
  const rows = SETTINGS.map((setting) =>
    [
      `\`--${setting.flag}${setting.value ? ` ${setting.value}` : ''}\``,
      setting.env.map((e) => `\`${e}\``).join(', '),
      `\`${setting.key}\``,
      setting.description,
      setting.default,
    ]
      .map(cell)
      .join(' | '),
  );
  return [
    '| flag | environment | config key | what | default |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}
