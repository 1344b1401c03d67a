import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Actor } from '../domain/access.js';
import type { ServiceContext } from '../domain/context.js';
import type { AppServices } from '../services.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: set by the auth hook before any handler runs. */
    actor: Actor;
  }
  interface FastifyContextConfig {
    /** The route reads its body as a raw stream (uploads) instead of JSON. */
    rawBody?: boolean;
    /** The route needs no credentials (OIDC exchange, status); a credential that is sent must still be valid. */
    public?: boolean;
  }
}

/** The Fastify instance type every route module registers on (TypeBox-typed). */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** A route module: registers its routes on the app with the shared context and the instance's services. */
export type RouteModule = (app: App, ctx: ServiceContext, services: AppServices) => void;
