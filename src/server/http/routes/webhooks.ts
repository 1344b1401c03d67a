import { Type } from '../../../api/type.js';
import { Webhook, WebhookDelivery, WebhookRequest } from '../../../api/webhooks.js';
import {
  createWebhook,
  deleteWebhook,
  findWebhook,
  updateWebhook,
  webhookScope,
  webhookView,
} from '../../hooks/webhooks.js';
import { listWebhookDeliveries, listWebhooks } from '../../domain/webhook-lists.js';
import { PageQuery, pageWindow, setPaginationHeaders } from '../pagination.js';
import type { RouteModule } from '../types.js';

const RepoParams = Type.Object({ owner: Type.String(), repo: Type.String() });
const HookParams = Type.Object({ owner: Type.String(), repo: Type.String(), id: Type.String() });

/** `/webhooks/{owner}/{repo}/`: repository webhooks (repository Admin). */
export const webhookRoutes: RouteModule = (app, ctx, { webhooks }) => {
  app.get(
    '/webhooks/:owner/:repo/',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'List webhooks',
        params: RepoParams,
        querystring: PageQuery,
        response: { 200: Type.Array(Webhook) },
      },
    },
    async (request, reply) => {
      const { owner, repo } = request.params;
      const { page, size, offset } = pageWindow(request.query);
      const { items, count } = await listWebhooks(ctx, request.actor, owner, repo, { offset, size });
      setPaginationHeaders(request, reply, page, size, count);
      return items;
    },
  );
  app.post(
    '/webhooks/:owner/:repo/',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Create a webhook',
        params: RepoParams,
        body: WebhookRequest,
        response: { 201: Webhook },
      },
    },
    async (request, reply) => {
      const { owner, repo } = request.params;
      const scope = await webhookScope(ctx, request.actor, owner, repo);
      const row = await createWebhook(ctx, request.actor, scope, request.body);
      await webhooks.ping(row.id);
      return reply.code(201).send(webhookView(ctx, { owner, repo }, row));
    },
  );
  app.get(
    '/webhooks/:owner/:repo/:id/',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Get a webhook',
        params: HookParams,
        response: { 200: Webhook },
      },
    },
    async (request) => {
      const { owner, repo, id } = request.params;
      const scope = await webhookScope(ctx, request.actor, owner, repo);
      return webhookView(ctx, { owner, repo }, await findWebhook(ctx, scope, id));
    },
  );
  app.patch(
    '/webhooks/:owner/:repo/:id/',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Change a webhook',
        params: HookParams,
        body: Type.Partial(WebhookRequest),
        response: { 200: Webhook },
      },
    },
    async (request) => {
      const { owner, repo, id } = request.params;
      const scope = await webhookScope(ctx, request.actor, owner, repo);
      const row = await updateWebhook(
        ctx,
        request.actor,
        scope,
        await findWebhook(ctx, scope, id),
        request.body,
      );
      return webhookView(ctx, { owner, repo }, row);
    },
  );
  app.delete(
    '/webhooks/:owner/:repo/:id/',
    { schema: { tags: ['webhooks'], summary: 'Delete a webhook', params: HookParams } },
    async (request, reply) => {
      const { owner, repo, id } = request.params;
      const scope = await webhookScope(ctx, request.actor, owner, repo);
      await deleteWebhook(ctx, request.actor, scope, await findWebhook(ctx, scope, id));
      return reply.code(204).send();
    },
  );
  app.get(
    '/webhooks/:owner/:repo/:id/deliveries/',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Delivery attempts of a webhook, newest first',
        params: HookParams,
        querystring: PageQuery,
        response: { 200: Type.Array(WebhookDelivery) },
      },
    },
    async (request, reply) => {
      const { owner, repo, id } = request.params;
      const { page, size, offset } = pageWindow(request.query);
      const window = { offset, size };
      const { items, count } = await listWebhookDeliveries(ctx, request.actor, owner, repo, id, window);
      setPaginationHeaders(request, reply, page, size, count);
      return items;
    },
  );
};
