/** Webhooks and their delivery attempts, as the webhook lists read them. */

import type { Selectable } from 'kysely';
import type { WebhookDeliveriesTable, WebhooksTable } from './schema.js';
import { dbOf, type DbSource } from './source.js';

/** A webhook row (its secrets stay sealed). */
export type WebhookRecord = Selectable<WebhooksTable>;

/** A delivery attempt as listed. */
export type DeliveryRecord = Pick<
  Selectable<WebhookDeliveriesTable>,
  'trigger_id' | 'event' | 'attempt' | 'attempted_at' | 'status_code' | 'error' | 'duration_ms' | 'outcome'
>;

/** One page of a repository's live webhooks in creation order, with the total. */
export async function listLiveWebhooks(
  src: DbSource,
  repoId: string,
  window: { offset: number; size: number },
): Promise<{ rows: WebhookRecord[]; count: number }> {
  const base = dbOf(src).selectFrom('webhooks').where('repo_id', '=', repoId).where('deleted_at', 'is', null);
  const { count } = await base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('seq').limit(window.size).offset(window.offset).execute();
  return { rows, count: Number(count) };
}

/** One page of a webhook's delivery attempts, newest first, with the total. */
export async function listDeliveries(
  src: DbSource,
  webhookId: string,
  window: { offset: number; size: number },
): Promise<{ rows: DeliveryRecord[]; count: number }> {
  const base = dbOf(src).selectFrom('webhook_deliveries').where('webhook_id', '=', webhookId);
  const { count } = await base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const rows = await base
    .select([
      'trigger_id',
      'event',
      'attempt',
      'attempted_at',
      'status_code',
      'error',
      'duration_ms',
      'outcome',
    ])
    .orderBy('attempted_at', 'desc')
    .orderBy('attempt', 'desc')
    .limit(window.size)
    .offset(window.offset)
    .execute();
  return { rows, count: Number(count) };
}
