import type { BackgroundTask } from '../domain/background.js';
import { jobPruningTask } from '../jobs/maintenance.js';
import { JobQueue } from '../jobs/queue.js';
import type { ServiceContext } from '../domain/context.js';
import { policyFor } from '../net/address-policy.js';
import { outboundSender } from '../net/outbound.js';
import { createDispatcher, type Dispatcher } from './dispatcher.js';
import {
  deliver,
  DELIVERY_JOB,
  deliveryTarget,
  queueDeliveries,
  queuePing,
  type PackageMatcher,
  type PackageRenderer,
} from './delivery.js';

/** The webhook subsystem of one running service: its queue and delivery dispatcher. */
export interface WebhookService {
  queue: JobQueue;
  worker: Dispatcher;
  /** Queues the ping of a newly created webhook and wakes the worker. */
  ping(webhookId: string): Promise<void>;
  /** What runs in the background: the dispatcher and the pruning of finished jobs. */
  tasks: BackgroundTask[];
}

/**
 * Builds webhooks: package events queue durable deliveries, and a dispatcher sends them,
 * several at once but at most `webhooks.maxPerTarget` to one receiver, under the outbound
 * address rules (`outbound.allow`), with the configured retry schedule
 * (`webhooks.retryDelaysSeconds`: the delay before each retry).
 */
export function createWebhookService(
  ctx: ServiceContext,
  render: PackageRenderer,
  matches: PackageMatcher,
): WebhookService {
  const queue = new JobQueue(ctx, {
    clock: ctx.clock,
    onLeaseLost: (job) =>
      ctx.log.warn({ job: job.id, kind: job.kind }, 'job lease lost to another worker; it runs there again'),
  });
  const delays = ctx.config.webhooks.retryDelaysSeconds;
  const send = outboundSender(policyFor(ctx.config.outbound.allow));
  const worker = createDispatcher({
    name: 'webhook-delivery',
    queue,
    kind: DELIVERY_JOB,
    clock: ctx.clock,
    log: ctx.log,
    retryDelayMs: (attempts) => (delays[Math.min(attempts, delays.length) - 1] ?? 0) * 1000,
    run: (job, signal) => deliver(ctx, job, send, signal),
    targetOf: (job) => deliveryTarget(ctx, job),
    maxConcurrent: ctx.config.webhooks.maxConcurrent,
    maxPerTarget: ctx.config.webhooks.maxPerTarget,
    pollMs: 500,
  });
  ctx.listeners.push(async (event, packageId, extra) => {
    if ((await queueDeliveries(ctx, queue, render, matches, event, packageId, extra)) > 0) worker.kick();
  });
  return {
    queue,
    worker,
    async ping(webhookId) {
      await queuePing(ctx, queue, webhookId);
      worker.kick();
    },
    // Deliveries leave most of the queue's finished rows; the pruning scheduler keeps them bounded.
    tasks: [worker, jobPruningTask(ctx, ctx.clock, ctx.log)],
  };
}
