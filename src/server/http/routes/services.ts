import type { FastifyRequest } from 'fastify';
import { Type } from '../../../api/type.js';
import {
  OrgParams,
  Service,
  ServiceCreate,
  ServiceParams,
  ServiceUpdate,
  ServiceWithKey,
} from '../../../api/access.js';
import { requirePrincipal } from '../../domain/access.js';
import {
  createService,
  deleteService,
  getService,
  listServices,
  rotateServiceKey,
  updateService,
} from '../../domain/services.js';
import { PageQuery, pageWindow, setPaginationHeaders } from '../pagination.js';
import type { RouteModule } from '../types.js';

// Runs before the body is parsed and validated, so an anonymous caller learns nothing but 401.
const signedIn = async (request: FastifyRequest): Promise<void> => void requirePrincipal(request.actor);

/** Service accounts of an organisation (`/orgs/{org}/services/…`); every call needs an org Manager. */
export const serviceRoutes: RouteModule = (app, ctx) => {
  const tags = ['services'];

  app.post(
    '/orgs/:org/services/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'Create a service account; its API key is shown once',
        tags,
        params: OrgParams,
        body: ServiceCreate,
        response: { 201: ServiceWithKey },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createService(ctx, request.actor, request.params.org, request.body)),
  );

  app.get(
    '/orgs/:org/services/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'List service accounts (keys are never shown)',
        tags,
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: Type.Array(Service) },
      },
    },
    async (request, reply) => {
      const w = pageWindow(request.query);
      const { items, count } = await listServices(ctx, request.actor, request.params.org, w);
      setPaginationHeaders(request, reply, w.page, w.size, count);
      return items;
    },
  );

  app.get(
    '/orgs/:org/services/:service/',
    {
      onRequest: signedIn,
      schema: { summary: 'Get a service account', tags, params: ServiceParams, response: { 200: Service } },
    },
    async (request) => getService(ctx, request.actor, request.params.org, request.params.service),
  );

  app.patch(
    '/orgs/:org/services/:service/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'Change a service account',
        tags,
        params: ServiceParams,
        body: ServiceUpdate,
        response: { 200: Service },
      },
    },
    async (request) =>
      updateService(ctx, request.actor, request.params.org, request.params.service, request.body),
  );

  app.delete(
    '/orgs/:org/services/:service/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'Delete a service account; its key stops working at once',
        tags,
        params: ServiceParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteService(ctx, request.actor, request.params.org, request.params.service);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/orgs/:org/services/:service/refresh/',
    {
      onRequest: signedIn,
      schema: {
        summary: "Rotate a service account's API key; the new key is shown once",
        tags,
        params: ServiceParams,
        response: { 200: ServiceWithKey },
      },
    },
    async (request) => rotateServiceKey(ctx, request.actor, request.params.org, request.params.service),
  );
};
