import crypto from 'node:crypto';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../domain/ids.js';
import type { ServiceMetrics } from '../domain/metrics.js';
import type { SharedGauges } from '../domain/operations.js';
import { ioCounts } from '../store/io-counters.js';

/** The service's metrics and the registry they live on (one per built app, never the global one). */
export interface AppMetrics extends ServiceMetrics {
  readonly registry: Registry;
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * Creates the metrics (tests build many apps in one process: each gets its own registry):
 * counters and histograms the service observes as it works, and gauges the
 * database answers at scrape time (the job backlog and advisory age are shared by all replicas,
 * so every replica reports the same, current values).
 */
export function createMetrics(shared: SharedGauges, clock: Clock): AppMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'airlock_http_requests_total',
    help: 'HTTP requests answered, by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'airlock_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const uploadBytes = new Counter({
    name: 'airlock_upload_bytes_received_total',
    help: 'Bytes of upload bodies received.',
    registers: [registry],
  });
  const scans = new Histogram({
    name: 'airlock_scan_duration_seconds',
    help: 'Time a package scan took, by outcome (clean, vulnerable, failed, not_supported).',
    labelNames: ['outcome'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'airlock_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered, retry, failed).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const deliveryDurations = new Histogram({
    name: 'airlock_webhook_delivery_duration_seconds',
    help: 'Time a webhook delivery attempt took, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const backlog = shared.backlog;
  new Gauge({
    name: 'airlock_jobs_queued',
    help: 'Jobs waiting in the queue, by kind (read from the database at scrape time).',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await backlog()) this.set({ kind: row.kind }, row.queued);
    },
  });
  new Gauge({
    name: 'airlock_jobs_running',
    help: 'Jobs claimed by a worker and not yet finished, by kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await backlog()) this.set({ kind: row.kind }, row.running);
    },
  });
  new Gauge({
    name: 'airlock_jobs_oldest_due_seconds',
    help: 'Seconds the oldest due job of each kind has waited to be claimed.',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await backlog()) this.set({ kind: row.kind }, row.oldestDueSeconds);
    },
  });
  new Gauge({
    name: 'airlock_advisory_age_seconds',
    help: "Seconds since each ecosystem's advisory data was last refreshed (absent: never).",
    labelNames: ['ecosystem'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const now = clock().getTime();
      for (const feed of await shared.advisoryFeeds()) {
        const at = feed.updatedAt ? Date.parse(feed.updatedAt) : NaN;
        if (Number.isFinite(at)) this.set({ ecosystem: feed.ecosystem }, Math.max(0, (now - at) / 1000));
      }
    },
  });
  registerIoCounters(registry);
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      durations.observe(labels, seconds);
    },
    observeUploadBytes: (bytes) => uploadBytes.inc(bytes),
    observeScan: (outcome, seconds) => scans.observe({ outcome }, seconds),
    observeWebhookDelivery(outcome, milliseconds) {
      deliveries.inc({ outcome });
      deliveryDurations.observe({ outcome }, milliseconds / 1000);
    },
  };
}

/** The store's statement, commit and sync totals (io-counters.ts), read at scrape time. */
function registerIoCounters(registry: Registry): void {
  new Counter({
    name: 'airlock_store_statements_total',
    help: 'SQL statements run on the embedded SQLite database by this process.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(ioCounts.statements);
    },
  });
  new Counter({
    name: 'airlock_store_commits_total',
    help: 'SQLite commits by this process: "synced" ones sync the log each, "group" ones share a later sync.',
    labelNames: ['sync'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ sync: 'synced' }, ioCounts.syncedCommits);
      this.inc({ sync: 'group' }, ioCounts.groupCommits);
    },
  });
  new Counter({
    name: 'airlock_store_syncs_total',
    help: 'Syncs to the disk this process asked for: of the SQLite log (shared by group commits) and of blob files and directories.',
    labelNames: ['what'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ what: 'log' }, ioCounts.logSyncs);
      this.inc({ what: 'blob' }, ioCounts.fileSyncs);
    },
  });
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

function sameToken(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * Whether a request may read `/metrics`: with a configured token, only a request that presents it
 * as `Authorization: Bearer …`; without one, only a loopback client (the address as `trustProxy`
 * reports it, so a proxy in front does not make every client look local when it is trusted).
 */
export function metricsAccess(request: FastifyRequest, token: string): 'ok' | 'no_token' | 'not_local' {
  if (token) {
    const header = request.headers.authorization ?? '';
    const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? '';
    return given !== '' && sameToken(given, token) ? 'ok' : 'no_token';
  }
  return isLoopback(request.ip) ? 'ok' : 'not_local';
}

/** Sends the metrics in the Prometheus text format. */
export async function sendMetrics(metrics: AppMetrics, reply: FastifyReply): Promise<string> {
  const text = await metrics.registry.metrics();
  void reply.header('content-type', metrics.registry.contentType);
  return text;
}
