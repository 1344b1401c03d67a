import type { Selectable } from 'kysely';
import type { WebhookDeliveriesTable, WebhooksTable } from './schema.js';
import { dbOf, type DbSource } from './source.js';

/** A stored webhook, its subscribed events parsed from their JSON column. */
export type WebhookRecord = Omit<Selectable<WebhooksTable>, 'events'> & { events: string[] };

/** The fields of a webhook a change may set. */
export type WebhookChanges = Partial<Omit<WebhookRecord, 'id' | 'org_id' | 'repo_id' | 'seq'>>;

/** What a package event needs of each webhook that may hear it. */
export interface WebhookSubscription {
  id: string;
  events: string[];
  package_query: string;
}

/** One logged delivery attempt. */
export type DeliveryRecord = Selectable<WebhookDeliveriesTable>;

/** How a webhook stands after a delivery's attempt. */
export interface DeliveryStanding {
  /** The receiver's status, 0 when it gave none. */
  lastResponseStatus: number;
  /** The attempt delivered: it counts as sent. */
  sent: boolean;
  failedInARow: number;
  /** Set when the webhook is disabled by this attempt: why. */
  disableDetail: string | null;
}

function decode(row: Selectable<WebhooksTable>): WebhookRecord {
  return { ...row, events: JSON.parse(row.events) as string[] };
}

function encodeChanges(changes: WebhookChanges): Partial<Selectable<WebhooksTable>> {
  const { events, ...rest } = changes;
  return events === undefined ? rest : { ...rest, events: JSON.stringify(events) };
}

/** A live webhook of a repository by id, or by its sequential number when `id` is all digits. */
export async function findLiveWebhook(
  source: DbSource,
  repoId: string,
  id: string,
): Promise<WebhookRecord | undefined> {
  const row = await dbOf(source)
    .selectFrom('webhooks')
    .selectAll()
    .where('repo_id', '=', repoId)
    .where('deleted_at', 'is', null)
    .where((eb) =>
      /^\d+$/.test(id) ? eb.or([eb('id', '=', id), eb('seq', '=', Number(id))]) : eb('id', '=', id),
    )
    .executeTakeFirst();
  return row && decode(row);
}

/** A webhook by id, deleted or not, or undefined. */
export async function findWebhookById(source: DbSource, id: string): Promise<WebhookRecord | undefined> {
  const row = await dbOf(source).selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  return row && decode(row);
}

/** The target URL of a webhook, or undefined when there is no such webhook. */
export async function findWebhookTarget(source: DbSource, id: string): Promise<string | undefined> {
  const row = await dbOf(source)
    .selectFrom('webhooks')
    .select(['target_url'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.target_url;
}

/** The next sequential number of a repository's webhooks; read it in the transaction that inserts. */
export async function nextWebhookSeq(source: DbSource, repoId: string): Promise<number> {
  const last = await dbOf(source)
    .selectFrom('webhooks')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('repo_id', '=', repoId)
    .executeTakeFirst();
  return Number(last?.seq ?? 0) + 1;
}

/** Stores a new webhook. */
export async function insertWebhook(source: DbSource, record: WebhookRecord): Promise<void> {
  await dbOf(source)
    .insertInto('webhooks')
    .values({ ...record, events: JSON.stringify(record.events) })
    .execute();
}

/** Sets the given fields of a webhook. */
export async function changeWebhook(source: DbSource, id: string, changes: WebhookChanges): Promise<void> {
  await dbOf(source).updateTable('webhooks').set(encodeChanges(changes)).where('id', '=', id).execute();
}

/**
 * The active, live webhooks of the repository that holds `packageId` (none when there is no such
 * package), with what deciding whether one hears an event needs.
 */
export async function listPackageSubscriptions(
  source: DbSource,
  packageId: string,
): Promise<WebhookSubscription[]> {
  // One statement: every package event asks this, and most repositories have no webhook.
  const rows = await dbOf(source)
    .selectFrom('webhooks')
    .innerJoin('packages', 'packages.repo_id', 'webhooks.repo_id')
    .select(['webhooks.id', 'webhooks.events', 'webhooks.package_query'])
    .where('packages.id', '=', packageId)
    .where('webhooks.is_active', '=', 1)
    .where('webhooks.deleted_at', 'is', null)
    .execute();
  return rows.map((r) => ({ ...r, events: JSON.parse(r.events) as string[] }));
}

/** Logs one delivery attempt. */
export async function insertDelivery(source: DbSource, delivery: DeliveryRecord): Promise<void> {
  await dbOf(source).insertInto('webhook_deliveries').values(delivery).execute();
}

/** How many deliveries in a row to the webhook failed every attempt (read it in the transaction that changes it). */
export async function failedInARow(source: DbSource, webhookId: string): Promise<number> {
  const row = await dbOf(source)
    .selectFrom('webhooks')
    .select(['failed_in_a_row'])
    .where('id', '=', webhookId)
    .executeTakeFirstOrThrow();
  return row.failed_in_a_row;
}

/** Records how a webhook stands after an attempt; counts a delivered one as sent, in the database. */
export async function recordDeliveryStanding(
  source: DbSource,
  webhookId: string,
  standing: DeliveryStanding,
): Promise<void> {
  await dbOf(source)
    .updateTable('webhooks')
    .set((eb) => ({
      last_response_status: standing.lastResponseStatus,
      num_sent: eb('num_sent', '+', standing.sent ? 1 : 0),
      failed_in_a_row: standing.failedInARow,
      ...(standing.disableDetail !== null
        ? { is_active: 0, disable_reason: 1, disable_detail: standing.disableDetail }
        : {}),
    }))
    .where('id', '=', webhookId)
    .execute();
}

/** One page of rows and how many there are in all. */
export interface StoredPage<T> {
  items: T[];
  count: number;
}

/** A repository's live webhooks by sequential number, one page of them. */
export async function listLiveWebhooks(
  source: DbSource,
  repoId: string,
  window: { offset: number; size: number },
): Promise<StoredPage<WebhookRecord>> {
  const base = dbOf(source)
    .selectFrom('webhooks')
    .where('repo_id', '=', repoId)
    .where('deleted_at', 'is', null);
  const { count } = await base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('seq').limit(window.size).offset(window.offset).execute();
  return { items: rows.map(decode), count: Number(count) };
}

/** A webhook's logged delivery attempts, newest first, one page of them. */
export async function listDeliveries(
  source: DbSource,
  webhookId: string,
  window: { offset: number; size: number },
): Promise<StoredPage<Omit<DeliveryRecord, 'id' | 'webhook_id'>>> {
  const base = dbOf(source).selectFrom('webhook_deliveries').where('webhook_id', '=', webhookId);
  const { count } = await base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const items = await base
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
  return { items, count: Number(count) };
}
