import type { Webhook, WebhookDelivery } from '../../api/webhooks.js';
import { findWebhook, webhookScope, webhookView } from '../hooks/webhooks.js';
import { listDeliveries, listLiveWebhooks } from '../store/webhooks.js';
import type { Actor } from './access.js';
import type { ServiceContext } from './context.js';

type Window = { offset: number; size: number };

/** `GET /webhooks/{owner}/{repo}/` (repository Admin): one page of its live webhooks, in creation order. */
export async function listWebhooks(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string,
  window: Window,
): Promise<{ items: Webhook[]; count: number }> {
  const scope = await webhookScope(ctx, actor, owner, repo);
  const { items, count } = await listLiveWebhooks(ctx, scope.repo.id, window);
  return { items: items.map((r) => webhookView(ctx, { owner, repo }, r)), count };
}

/** `GET /webhooks/{owner}/{repo}/{id}/deliveries/` (repository Admin): one page of attempts, newest first. */
export async function listWebhookDeliveries(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string,
  id: string,
  window: Window,
): Promise<{ items: WebhookDelivery[]; count: number }> {
  const scope = await webhookScope(ctx, actor, owner, repo);
  const hook = await findWebhook(ctx, scope, id);
  return listDeliveries(ctx, hook.id, window);
}
