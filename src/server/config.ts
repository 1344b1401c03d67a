import path from 'node:path';
import type { Static } from 'typebox';
import { Type } from '../api/type.js';
import { allowListProblems } from './net/address-policy.js';
import { fillDefaults, schemaErrors } from './schema-check.js';

/** OSV's public bucket of per-ecosystem archives (`{url}/{ecosystem}/all.zip`): the default advisory source. */
export const OSV_ARCHIVES_URL = 'https://osv-vulnerabilities.storage.googleapis.com';

/** The service's configuration, checked once at start and frozen. */
export const ServerConfigSchema = Type.Object({
  dataDir: Type.String({
    minLength: 1,
    description: 'Directory holding the database, blobs and the server secret.',
  }),
  host: Type.String({ default: '127.0.0.1' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  /** Base URL clients use to reach the service (upload and download links); derived from host:port when empty. */
  publicUrl: Type.String({ default: '' }),
  /**
   * Which proxies in front of the service to believe about `X-Forwarded-For/-Proto/-Host`
   * (Fastify's `trustProxy`): false (none), true (any), a hop count, or addresses and CIDRs.
   */
  trustProxy: Type.Union(
    [Type.Boolean(), Type.Integer({ minimum: 0 }), Type.Array(Type.String({ minLength: 1 }))],
    {
      default: false,
    },
  ),
  /**
   * A file holding the server secret, shared by replicas; empty means `secret` in the data
   * directory. Created (0600) on first use when missing.
   */
  secretFile: Type.String({ default: '' }),
  database: Type.Union(
    [
      Type.Object({ kind: Type.Literal('sqlite') }),
      Type.Object({
        kind: Type.Literal('postgres'),
        url: Type.String({ minLength: 1 }),
        /** Connections each process keeps open at most. */
        poolSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      }),
    ],
    { default: { kind: 'sqlite' } },
  ),
  blobs: Type.Union(
    [
      Type.Object({ kind: Type.Literal('fs') }),
      Type.Object({
        kind: Type.Literal('s3'),
        bucket: Type.String({ minLength: 1 }),
        endpoint: Type.Optional(Type.String()),
        region: Type.String({ default: 'us-east-1' }),
        forcePathStyle: Type.Boolean({ default: true }),
        /** Answer downloads with a redirect to a short-lived presigned URL of the bucket. */
        presignDownloads: Type.Boolean({ default: false }),
      }),
    ],
    { default: { kind: 'fs' } },
  ),
  limits: Type.Object(
    {
      /** Largest JSON body accepted, in bytes. */
      jsonBodyBytes: Type.Integer({ minimum: 1024, default: 1024 * 1024 }),
      /** Largest single upload (or assembled multipart upload), in bytes. */
      uploadBytes: Type.Integer({ minimum: 1, default: 5 * 1024 * 1024 * 1024 }),
      /** Seconds an upload may stay unfinished before it is removed. */
      uploadTtlSeconds: Type.Integer({ minimum: 1, default: 3600 }),
      /** Requests per hour per caller (API key or, for anonymous calls, IP address); 0 turns throttling off. */
      requestsPerHour: Type.Integer({ minimum: 0, default: 36000 }),
      /**
       * Requests with invalid credentials per hour per client address; past it, every request from
       * that address that carries a credential gets 429 until the hour ends. 0 turns this off.
       */
      failedAuthPerHour: Type.Integer({ minimum: 0, default: 100 }),
    },
    { default: {} },
  ),
  webhooks: Type.Object(
    {
      /** Seconds to wait before each retry of a failed delivery; its length bounds the attempts. */
      retryDelaysSeconds: Type.Array(Type.Integer({ minimum: 0 }), { default: [10, 60, 300, 900, 3600] }),
      /** Seconds one delivery may take in all, connecting to reading the answer. */
      timeoutSeconds: Type.Integer({ minimum: 1, maximum: 120, default: 10 }),
      /** Deliveries in flight at once, over all receivers. */
      maxConcurrent: Type.Integer({ minimum: 1, maximum: 256, default: 16 }),
      /** Deliveries in flight at once to one receiver (host:port). */
      maxPerTarget: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
      /** Deliveries in a row that used up every attempt before the webhook is disabled. */
      disableAfterFailedDeliveries: Type.Integer({ minimum: 1, default: 5 }),
    },
    { default: {} },
  ),
  /** Accept `http://` OIDC issuers on loopback addresses, and loopback addresses for issuer fetches (development and tests only). */
  allowLoopbackIssuers: Type.Boolean({ default: false }),
  outbound: Type.Object(
    {
      /**
       * CIDRs and host patterns (`10.20.0.0/16`, `127.0.0.1/32`, `*.corp.example`) whose loopback,
       * private, CGNAT or unique-local addresses webhook deliveries and OIDC fetches may reach.
       */
      allow: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    },
    { default: {} },
  ),
  advisories: Type.Object(
    {
      /**
       * Seconds between scheduled syncs of the OSV advisory archives; 0 (the default of an
       * embedded service) turns them off. `serve` and `start` default to 6 hours.
       */
      syncIntervalSeconds: Type.Integer({ minimum: 0, default: 0 }),
      /** Where archives are synced from: `{source}/{ecosystem}/all.zip` over HTTP(S), a `file://` URL or a folder. */
      source: Type.String({ minLength: 1, default: OSV_ARCHIVES_URL }),
    },
    { default: {} },
  ),
  /** Bounds of one package scan (docs/scanning.md, "Scan limits"). */
  scan: Type.Object(
    {
      /** Distinct components evaluated per package; the rest are reported as not evaluated (`scan_limit`). */
      maxComponents: Type.Integer({ minimum: 1, default: 100_000 }),
      /** Bytes of manifests, lockfiles and SBOMs parsed per package; parsing stops there. */
      maxManifestBytes: Type.Integer({ minimum: 1, default: 128 * 1024 * 1024 }),
      /** Component entries read out of manifests per package (duplicates included); reading stops there. */
      maxComponentEntries: Type.Integer({ minimum: 1, default: 1_000_000 }),
      /** Heap cap of each scan worker process, in MiB; a scan that needs more fails. */
      workerHeapMb: Type.Integer({ minimum: 16, default: 512 }),
      /** Scan worker processes, each running scans one after another; 0: one per two cores (1 to 4). */
      workers: Type.Integer({ minimum: 0, maximum: 64, default: 0 }),
      /** Scans a worker process runs before a fresh one replaces it. */
      workerMaxScans: Type.Integer({ minimum: 1, default: 1000 }),
      /** Resident memory of a worker, in MiB, above which it is replaced after its scan. */
      workerRecycleMb: Type.Integer({ minimum: 32, default: 256 }),
      /** Seconds a worker process waits for a scan before it is stopped; 0: it stays. */
      workerIdleSeconds: Type.Integer({ minimum: 0, default: 600 }),
      /** Seconds one scan may run before it is stopped and fails. */
      timeoutSeconds: Type.Integer({ minimum: 1, default: 600 }),
    },
    { default: {} },
  ),
  metrics: Type.Object(
    {
      /**
       * Bearer token `GET /metrics` requires; empty means the endpoint answers loopback clients
       * only (as seen through `trustProxy`).
       */
      token: Type.String({ default: '' }),
    },
    { default: {} },
  ),
  /** The native npm registry (docs/npm.md). */
  npm: Type.Object(
    {
      /** Seconds after publishing during which `npm unpublish` may remove a version; 0 never. */
      unpublishWindowSeconds: Type.Integer({ minimum: 0, default: 72 * 3600 }),
    },
    { default: {} },
  ),
  /** Log level of the JSON-lines logger. */
  logLevel: Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ],
    { default: 'info' },
  ),
});

/** The parsed, validated and frozen configuration. */
export type ServerConfig = Readonly<Static<typeof ServerConfigSchema>>;

/** Input to {@link parseConfig}: anything may be left out but `dataDir`. */
export type ServerConfigInput = Partial<
  Omit<ServerConfig, 'limits' | 'webhooks' | 'outbound' | 'advisories' | 'scan' | 'metrics' | 'npm'>
> & {
  dataDir: string;
  limits?: Partial<ServerConfig['limits']>;
  webhooks?: Partial<ServerConfig['webhooks']>;
  outbound?: Partial<ServerConfig['outbound']>;
  advisories?: Partial<ServerConfig['advisories']>;
  scan?: Partial<ServerConfig['scan']>;
  metrics?: Partial<ServerConfig['metrics']>;
  npm?: Partial<ServerConfig['npm']>;
};

/** One problem of a configuration: where (a JSON pointer such as `/limits/uploadBytes`) and what. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** Checks a configuration with defaults filled in; returns every problem (none when it is valid). */
export function configProblems(input: unknown): ConfigProblem[] {
  const withDefaults = fillDefaults(ServerConfigSchema, structuredClone(input));
  const problems = schemaErrors(ServerConfigSchema, withDefaults).map((e) => ({
    path: e.instancePath || '/',
    message: e.message,
  }));
  if (problems.length === 0) {
    const allow = (withDefaults as ServerConfig).outbound.allow;
    problems.push(...allowListProblems(allow).map((message) => ({ path: '/outbound/allow', message })));
  }
  return problems;
}

/**
 * Checks a configuration against the schema, fills defaults and freezes it. Throws one error
 * that names every bad setting.
 */
export function parseConfig(input: ServerConfigInput): ServerConfig {
  const problems = configProblems(input);
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new Error(`Invalid server configuration: ${list}`);
  }
  const config = fillDefaults(ServerConfigSchema, structuredClone(input)) as ServerConfig;
  return deepFreeze({ ...config, dataDir: path.resolve(config.dataDir) });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The base URL the service advertises in upload and download links. */
export function publicBaseUrl(config: ServerConfig, boundPort?: number): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${boundPort ?? config.port}`;
}
