import crypto from 'node:crypto';
import type { WebhookPayload } from '../../api/webhooks.js';
import type { PackageEvent, ServiceContext } from '../domain/context.js';
import { newId } from '../domain/ids.js';
import type { Job, JobQueue } from '../jobs/queue.js';
import { OutboundAborted, OutboundRefusal, type OutboundSend } from '../net/outbound.js';
import { inTransaction } from '../store/source.js';
import {
  failedInARow as storedFailedInARow,
  findWebhookById,
  findWebhookTarget,
  insertDelivery,
  listPackageSubscriptions,
  recordDeliveryStanding,
} from '../store/webhooks.js';
import { FinalFailure, Interrupted } from './dispatcher.js';
import { openSecret, signatureHeaders } from './secrets.js';

/** The job kind of one webhook delivery. */
export const DELIVERY_JOB = 'webhook.deliver';

/** What a delivery job carries: the event as it was when it happened, so every attempt sends the same data. */
export interface DeliveryJob {
  webhookId: string;
  event: PackageEvent | 'ping';
  triggerId: string;
  eventAt: string;
  data: unknown;
  context?: Record<string, unknown>;
}

/** Renders a package in the API's shape (the payload's `data`), or null when it is gone. */
export type PackageRenderer = (ctx: ServiceContext, packageId: string) => Promise<unknown>;

/** Tells whether a package matches a webhook's `package_query` (empty query: always). */
export type PackageMatcher = (ctx: ServiceContext, packageId: string, query: string) => Promise<boolean>;

/**
 * Queues one delivery per active webhook of the package's repository that subscribes to the
 * event and whose package query matches. Called after the event's change has committed.
 */
export async function queueDeliveries(
  ctx: ServiceContext,
  queue: JobQueue,
  render: PackageRenderer,
  matches: PackageMatcher,
  event: PackageEvent,
  packageId: string,
  context?: Record<string, unknown>,
): Promise<number> {
  const hooks = await listPackageSubscriptions(ctx, packageId);
  const wanted = hooks.filter((h) => h.events.includes('*') || h.events.includes(event));
  if (wanted.length === 0) return 0;
  const data = await render(ctx, packageId);
  const now = ctx.clock();
  const maxAttempts = ctx.config.webhooks.retryDelaysSeconds.length + 1;
  let queued = 0;
  for (const hook of wanted) {
    if (hook.package_query && !(await matches(ctx, packageId, hook.package_query))) continue;
    const job: DeliveryJob = {
      webhookId: hook.id,
      event,
      triggerId: crypto.randomUUID(),
      eventAt: now.toISOString(),
      data,
    };
    if (context) job.context = context;
    await queue.enqueue(DELIVERY_JOB, job, now, { maxAttempts });
    queued++;
  }
  return queued;
}

/** Queues the `ping` a new webhook receives. */
export async function queuePing(ctx: ServiceContext, queue: JobQueue, webhookId: string): Promise<void> {
  const now = ctx.clock();
  const job: DeliveryJob = {
    webhookId,
    event: 'ping',
    triggerId: crypto.randomUUID(),
    eventAt: now.toISOString(),
    data: {},
  };
  await queue.enqueue(DELIVERY_JOB, job, now, {
    maxAttempts: ctx.config.webhooks.retryDelaysSeconds.length + 1,
  });
}

/** Most bytes of a receiver's answer read: enough to tell it answered, too few to cost memory. */
export const MAX_ANSWER_BYTES = 4096;

interface Outcome {
  status: number | null;
  error: string | null;
  /** The target was refused: the failure is final and nothing was sent. */
  refused: boolean;
}

async function post(
  send: OutboundSend,
  url: string,
  body: string,
  headers: Record<string, string>,
  deadlineMs: number,
  verifyTls: boolean,
  signal: AbortSignal,
): Promise<Outcome> {
  try {
    // The answer's body is not used: reading a few KiB lets a receiver finish its reply, and the
    // connection is dropped past that, so a huge or endless body costs nothing.
    const res = await send({
      url,
      method: 'POST',
      headers,
      body,
      deadlineMs,
      maxBodyBytes: MAX_ANSWER_BYTES,
      signal,
      verifyTls,
    });
    if (res.status >= 300 && res.status < 400)
      return {
        status: res.status,
        error: `receiver answered ${res.status}; redirects are not followed`,
        refused: false,
      };
    return { status: res.status, error: null, refused: false };
  } catch (err) {
    if (err instanceof OutboundAborted) throw new Interrupted('delivery interrupted by shutdown');
    if (err instanceof OutboundRefusal)
      return { status: null, error: `refused: ${err.reason}`, refused: true };
    return { status: null, error: err instanceof Error ? err.message : String(err), refused: false };
  }
}

/** The receiver a delivery goes to (host:port), the key deliveries are limited by; '' when unknown. */
export async function deliveryTarget(ctx: ServiceContext, job: Job): Promise<string> {
  const d = job.payload as DeliveryJob;
  const target = await findWebhookTarget(ctx, d.webhookId);
  if (target === undefined) return '';
  try {
    const url = new URL(target);
    return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return '';
  }
}

function encodeBody(format: number, payload: WebhookPayload): { body: string; contentType: string } {
  const json = JSON.stringify(format === 1 ? [payload] : payload);
  if (format === 2)
    return { body: 'payload=' + encodeURIComponent(json), contentType: 'application/x-www-form-urlencoded' };
  return { body: json, contentType: 'application/json' };
}

/**
 * Makes one delivery attempt through `send` (which enforces the outbound address rules). A 2xx
 * answer delivers; anything else throws so the queue retries on the configured schedule, except
 * a refused target, which fails at once ({@link FinalFailure}) with "refused: <reason>" logged
 * and nothing sent. Every attempt is logged in `webhook_deliveries`; when the last attempt fails,
 * the webhook's run of failed deliveries grows and, past the configured limit, the webhook is
 * disabled with the reason recorded. An attempt aborted by `signal` is not logged and throws
 * {@link Interrupted}.
 */
export async function deliver(
  ctx: ServiceContext,
  job: Job,
  send: OutboundSend,
  signal: AbortSignal,
): Promise<void> {
  const d = job.payload as DeliveryJob;
  const hook = await findWebhookById(ctx, d.webhookId);
  if (!hook || hook.deleted_at !== null || (hook.is_active !== 1 && d.event !== 'ping')) return;
  const attemptAt = ctx.clock();
  const payload: WebhookPayload = {
    data: d.data,
    meta: {
      event_id: d.event,
      trigger_id: d.triggerId,
      webhook_id: hook.seq,
      event_at: d.eventAt,
      attempt_at: attemptAt.toISOString(),
    },
  };
  if (d.context) payload.context = d.context;
  const { body, contentType } = encodeBody(hook.request_body_format, payload);
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'User-Agent': 'Airlock-Webhooks/1',
    'X-Airlock-Event': d.event,
    'X-Airlock-Delivery': d.triggerId,
  };
  if (hook.signature_key)
    Object.assign(headers, signatureHeaders(openSecret(ctx.secret, hook.signature_key), body));
  if (hook.secret_header && hook.secret_value)
    headers[hook.secret_header] = openSecret(ctx.secret, hook.secret_value);

  const started = Date.now();
  const result = await post(
    send,
    hook.target_url,
    body,
    headers,
    ctx.config.webhooks.timeoutSeconds * 1000,
    hook.verify_ssl === 1,
    signal,
  );
  const ok = result.status !== null && result.status >= 200 && result.status < 300;
  const last = result.refused || job.attempts >= job.maxAttempts;
  const error = ok ? null : (result.error ?? `receiver answered ${result.status}`);
  ctx.metrics?.observeWebhookDelivery(ok ? 'delivered' : last ? 'failed' : 'retry', Date.now() - started);
  await inTransaction(ctx, async (tx) => {
    await insertDelivery(tx, {
      id: newId(16),
      webhook_id: hook.id,
      trigger_id: d.triggerId,
      event: d.event,
      attempt: job.attempts,
      attempted_at: attemptAt.toISOString(),
      status_code: result.status,
      error,
      duration_ms: Date.now() - started,
      outcome: ok ? 'delivered' : last ? 'failed' : 'retry',
    });
    const current = await storedFailedInARow(tx, hook.id);
    const failedInARow = ok ? 0 : last ? current + 1 : current;
    const disable = !ok && last && failedInARow >= ctx.config.webhooks.disableAfterFailedDeliveries;
    await recordDeliveryStanding(tx, hook.id, {
      lastResponseStatus: result.status ?? 0,
      sent: ok,
      failedInARow,
      disableDetail: disable
        ? `${failedInARow} deliveries in a row failed every attempt; last error: ${error}`
        : null,
    });
  });
  if (result.refused) throw new FinalFailure(error ?? 'refused');
  if (!ok) throw new Error(error ?? 'delivery failed');
}
