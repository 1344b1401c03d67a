import type { RouteOptions } from 'fastify';

interface CollectedRoute {
  method: string;
  url: string;
  schema: Record<string, unknown>;
}

/** Collects every route's schema as it is registered and renders the OpenAPI 3.1 document. */
export class OpenApiCollector {
  private readonly routes: CollectedRoute[] = [];

  /** Fastify `onRoute` hook body: records routes outside the `/v1` alias. */
  add(route: RouteOptions): void {
    if (route.url.startsWith('/v1/') || route.method === 'HEAD' || !route.schema) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      this.routes.push({
        method: method.toLowerCase(),
        url: route.url,
        schema: route.schema as Record<string, unknown>,
      });
    }
  }

  /** The OpenAPI document for everything collected so far. */
  document(version: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
      const op: Record<string, unknown> = {};
      const s = r.schema as {
        summary?: string;
        description?: string;
        tags?: string[];
        params?: { properties?: Record<string, unknown> };
        querystring?: { properties?: Record<string, unknown>; required?: string[] };
        body?: unknown;
        response?: Record<string, unknown>;
      };
      if (s.summary) op.summary = s.summary;
      if (s.description) op.description = s.description;
      if (s.tags) op.tags = s.tags;
      const parameters: unknown[] = [];
      for (const name of Object.keys(s.params?.properties ?? {})) {
        parameters.push({ name, in: 'path', required: true, schema: s.params!.properties![name] });
      }
      for (const [name, schema] of Object.entries(s.querystring?.properties ?? {})) {
        parameters.push({
          name,
          in: 'query',
          required: s.querystring?.required?.includes(name) ?? false,
          schema,
        });
      }
      if (parameters.length) op.parameters = parameters;
      if (s.body) op.requestBody = { content: { 'application/json': { schema: s.body } } };
      const responses: Record<string, unknown> = {};
      for (const [code, schema] of Object.entries(s.response ?? {})) {
        responses[code] = { description: `${code} response`, content: { 'application/json': { schema } } };
      }
      op.responses = Object.keys(responses).length ? responses : { default: { description: 'response' } };
      (paths[path] ??= {})[r.method] = op;
    }
    return {
      openapi: '3.1.0',
      info: { title: 'Airlock repository API', version },
      components: {
        securitySchemes: {
          apikey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ apikey: [] }, { bearer: [] }],
      paths,
    };
  }
}
