import type { RouteOptions } from 'fastify';
import { ERROR_CODES } from '../domain/errors.js';

interface CollectedRoute {
  method: string;
  url: string;
  schema: Record<string, unknown>;
  rawBody: boolean;
  public: boolean;
}

interface RouteSchema {
  summary?: string;
  description?: string;
  tags?: string[];
  params?: { properties?: Record<string, unknown> };
  querystring?: { properties?: Record<string, unknown>; required?: string[] };
  body?: unknown;
  response?: Record<string, unknown>;
}

/** The `{detail, fields, code}` body every failure of the JSON API leaves with (docs/errors.md). */
const ERROR_BODY = {
  type: 'object',
  required: ['detail', 'code'],
  properties: {
    detail: { type: 'string' },
    code: { type: 'string', enum: [...ERROR_CODES] },
    fields: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
  },
};

/** Fastify's trailing wildcard, named as the one path parameter OpenAPI can express. */
const WILDCARD_PARAM = 'path';

/** Paths that answer in another protocol's error shape (npm's `{error}`), not ERROR_BODY. */
const FOREIGN_ERROR_PREFIXES = ['/npm/'];

/** The body a raw-body route reads: the bytes themselves (PUT) or a multipart form (POST). */
function rawRequestBody(method: string): Record<string, unknown> {
  if (method === 'put') {
    return {
      required: true,
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    };
  }
  return {
    required: true,
    content: {
      'multipart/form-data': {
        schema: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  };
}

/** One documented response: no body for 204, text for a string schema (metrics), else JSON. */
function describeResponse(code: string, schema: unknown): Record<string, unknown> {
  const description = `${code} response`;
  if (code === '204') return { description };
  const type = (schema as { type?: unknown }).type;
  const media = type === 'string' ? 'text/plain' : 'application/json';
  return { description, content: { [media]: { schema } } };
}

/** Collects every route's schema as it is registered and renders the OpenAPI 3.1 document. */
export class OpenApiCollector {
  private readonly routes: CollectedRoute[] = [];

  /** Fastify `onRoute` hook body: records routes outside the `/v1` alias. */
  add(route: RouteOptions): void {
    if (route.url.startsWith('/v1/') || route.method === 'HEAD' || !route.schema) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const config = (route.config ?? {}) as { rawBody?: boolean; public?: boolean };
    for (const method of methods) {
      if (method === 'HEAD') continue;
      this.routes.push({
        method: method.toLowerCase(),
        url: route.url,
        schema: route.schema as Record<string, unknown>,
        rawBody: config.rawBody === true,
        public: config.public === true,
      });
    }
  }

  /** The OpenAPI document for everything collected so far. */
  document(version: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const wildcard = r.url.endsWith('*');
      const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}').replace(/\*$/, `{${WILDCARD_PARAM}}`);
      const op: Record<string, unknown> = {};
      const s = r.schema as RouteSchema;
      if (s.summary) op.summary = s.summary;
      if (s.description) op.description = s.description;
      if (s.tags) op.tags = s.tags;
      const parameters: unknown[] = [];
      for (const name of Object.keys(s.params?.properties ?? {})) {
        if (name === '*') continue;
        parameters.push({ name, in: 'path', required: true, schema: s.params!.properties![name] });
      }
      if (wildcard) {
        parameters.push({ name: WILDCARD_PARAM, in: 'path', required: true, schema: { type: 'string' } });
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
      // A route with a body schema refuses a request without a body ("must be object"): required.
      if (s.body) op.requestBody = { required: true, content: { 'application/json': { schema: s.body } } };
      else if (r.rawBody) op.requestBody = rawRequestBody(r.method);
      const responses: Record<string, unknown> = {};
      for (const [code, schema] of Object.entries(s.response ?? {}))
        responses[code] = describeResponse(code, schema);
      if (!FOREIGN_ERROR_PREFIXES.some((prefix) => path.startsWith(prefix))) {
        // Every failure of the JSON API has the one error shape, so clients and fuzzers can rely on it.
        for (const range of ['4XX', '5XX']) {
          responses[range] = {
            description: 'an error (docs/errors.md)',
            content: { 'application/json': { schema: ERROR_BODY } },
          };
        }
      }
      if (!Object.keys(s.response ?? {}).length) responses.default = { description: 'response' };
      op.responses = responses;
      // Public routes take no credential; one that is sent must still be valid.
      if (r.public) op.security = [{}, { apikey: [] }, { bearer: [] }];
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
