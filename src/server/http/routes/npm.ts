import zlib from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '../../../api/type.js';
import type { ServiceContext } from '../../domain/context.js';
import { ServiceError } from '../../domain/errors.js';
import { bulkAdvisories } from '../../npm/audit.js';
import {
  listDistTags,
  removeDistTag,
  setDistTag,
  unpublishPackage,
  unpublishTarball,
  updatePackument,
} from '../../npm/manage.js';
import { asObject, publishVersion } from '../../npm/publish.js';
import { resolveNpmRepo } from '../../npm/registry.js';
import { registryPackument, registryTarball } from '../../upstreams/npm-registry.js';
import { UPSTREAM_HEADER } from '../../upstreams/npm.js';
import { searchPackages, whoami } from '../../npm/search.js';
import { ERROR_STATUS, toServiceError } from '../errors.js';
import { acceptsGzip, notModified } from '../file-response.js';
import type { App } from '../types.js';

/** The media type of an abbreviated packument (npm's install-time form). */
export const ABBREVIATED_TYPE = 'application/vnd.npm.install-v1+json';

// A JSON string holds at most ~512 MiB in V8: a publish body (base64, a third larger than the
// tarball) is bounded below that whatever the upload limit says.
const MAX_PUBLISH_BODY = 480 * 1024 * 1024;
// What a gzipped audit request may expand to.
const MAX_AUDIT_JSON = 64 * 1024 * 1024;
const NPM_NAME = /^(?:@[a-z0-9~][a-z0-9._~-]*\/)?[a-z0-9~][a-z0-9._~-]*$/i;

const RepoParams = Type.Object({ owner: Type.String(), repo: Type.String() });
const RestParams = Type.Object({ owner: Type.String(), repo: Type.String(), '*': Type.String() });
const TagParams = Type.Object({ owner: Type.String(), repo: Type.String(), name: Type.String() });
const TagNameParams = Type.Object({
  owner: Type.String(),
  repo: Type.String(),
  name: Type.String(),
  tag: Type.String(),
});

/** The largest body a publish may send, from the upload limit (base64 plus the packument). */
export function publishBodyLimit(ctx: ServiceContext): number {
  const encoded = Math.ceil(ctx.config.limits.uploadBytes / 3) * 4;
  return Math.min(MAX_PUBLISH_BODY, encoded + ctx.config.limits.jsonBodyBytes);
}

function checkName(name: string): string {
  if (name.length > 214 || !NPM_NAME.test(name)) {
    throw new ServiceError('validation_failed', `'${name.slice(0, 220)}' is not a valid npm package name.`);
  }
  return name;
}

/** A path below the registry URL, split into the package name and what follows it. */
interface PackagePath {
  name: string;
  rest: string[];
}

/**
 * Splits `@scope/name/…`, `@scope%2fname/…` or `name/…`. npm's unpublish sends the tarball's
 * whole path again below the registry URL (`npm/{owner}/{repo}/name/-/…`): that prefix is dropped.
 */
function splitPackagePath(path: string, owner: string, repo: string): PackagePath {
  let segments = path.split('/').filter((s, i, all) => s !== '' || i < all.length - 1);
  if (segments[0] === 'npm' && segments[1] === owner && segments[2] === repo && segments.length > 4) {
    segments = segments.slice(3);
  }
  const scoped = segments[0]?.startsWith('@') && !segments[0].includes('/');
  const [first, second] = segments;
  const name = scoped && second !== undefined ? `${first}/${second}` : (first ?? '');
  return { name: checkName(name), rest: segments.slice(scoped ? 2 : 1) };
}

function wantsAbbreviated(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes(ABBREVIATED_TYPE);
}

/** Reads a JSON body, gunzipping it first when it says so (`npm audit` sends gzip). */
function parseJsonBody(request: FastifyRequest, body: Buffer): unknown {
  let bytes = body;
  const encoding = String(request.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip') {
    try {
      bytes = zlib.gunzipSync(body, { maxOutputLength: MAX_AUDIT_JSON });
    } catch (err) {
      throw new ServiceError(
        'invalid_json',
        `The gzip body could not be read: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  } else if (encoding && encoding !== 'identity') {
    throw new ServiceError(
      'unsupported_media_type',
      `Unsupported Content-Encoding '${encoding}': send gzip or none.`,
    );
  }
  const text = bytes.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ServiceError(
      'invalid_json',
      `Malformed JSON body: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** npm prints `error` after the status line; `code` keeps the service's stable code. */
function sendNpmError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const err = toServiceError(error);
  const status = ERROR_STATUS[err.code];
  if (status >= 500) request.log.error({ err: error }, 'npm registry request failed');
  if (err.retryAfter !== undefined) void reply.header('Retry-After', String(err.retryAfter));
  void reply.code(status).send({ error: err.message, code: err.code });
}

/**
 * The native npm registry at `/npm/{owner}/{repo}/`: packuments, tarballs, publish, dist-tags,
 * deprecate, unpublish, search, whoami, ping and the bulk advisory endpoint. Errors leave as
 * `{error, code}`, which npm prints. Routes only parse and call the domain (src/server/npm/).
 */
export function npmRoutes(app: App, ctx: ServiceContext): void {
  app.setErrorHandler((error: Error, request, reply) => sendNpmError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendNpmError(
      new ServiceError(
        'not_found',
        `No such registry endpoint: ${request.method} ${request.url.split('?')[0]}`,
      ),
      request,
      reply,
    ),
  );
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      done(null, parseJsonBody(request, body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('*', (request, _payload, done) =>
    done(
      new ServiceError(
        'unsupported_media_type',
        `Unsupported Content-Type '${request.headers['content-type'] ?? ''}': the registry takes application/json.`,
      ),
      undefined,
    ),
  );
  const tags = ['npm'];

  app.get(
    '/:owner/:repo/-/ping',
    { config: { public: true }, schema: { summary: 'npm ping', tags, params: RepoParams } },
    async (request) => {
      const { owner, repo } = request.params;
      await resolveNpmRepo(ctx, request.actor, owner, repo, 'Read');
      return {};
    },
  );

  app.get(
    '/:owner/:repo/-/whoami',
    { schema: { summary: 'npm whoami', tags, params: RepoParams } },
    async (request) => {
      const { owner, repo } = request.params;
      await resolveNpmRepo(ctx, request.actor, owner, repo, 'Read');
      return whoami(request.actor);
    },
  );

  app.get(
    '/:owner/:repo/-/v1/search',
    {
      config: { public: true },
      schema: {
        summary: 'npm search',
        tags,
        params: RepoParams,
        querystring: Type.Object({
          text: Type.Optional(Type.String({ maxLength: 1000 })),
          size: Type.Optional(Type.Integer()),
          from: Type.Optional(Type.Integer()),
        }),
      },
    },
    async (request) => {
      const { owner, repo } = request.params;
      return searchPackages(ctx, request.actor, owner, repo, request.query);
    },
  );

  app.post(
    '/:owner/:repo/-/npm/v1/security/advisories/bulk',
    {
      config: { public: true },
      schema: { summary: 'npm audit (bulk advisories)', tags, params: RepoParams },
    },
    async (request) => {
      const { owner, repo } = request.params;
      return bulkAdvisories(ctx, request.actor, owner, repo, request.body);
    },
  );

  app.get(
    '/:owner/:repo/-/package/:name/dist-tags',
    { config: { public: true }, schema: { summary: 'npm dist-tag ls', tags, params: TagParams } },
    async (request) => {
      const { owner, repo, name } = request.params;
      return listDistTags(ctx, request.actor, owner, repo, checkName(name));
    },
  );
  app.put(
    '/:owner/:repo/-/package/:name/dist-tags/:tag',
    { schema: { summary: 'npm dist-tag add', tags, params: TagNameParams } },
    async (request) => {
      const { owner, repo, name, tag } = request.params;
      return setDistTag(ctx, request.actor, owner, repo, checkName(name), tag, request.body);
    },
  );
  app.delete(
    '/:owner/:repo/-/package/:name/dist-tags/:tag',
    { schema: { summary: 'npm dist-tag rm', tags, params: TagNameParams } },
    async (request) => {
      const { owner, repo, name, tag } = request.params;
      return removeDistTag(ctx, request.actor, owner, repo, checkName(name), tag);
    },
  );

  app.route({
    method: ['GET', 'HEAD'],
    url: '/:owner/:repo/*',
    config: { public: true },
    schema: { summary: 'npm packument or tarball', tags, params: RestParams },
    handler: async (request, reply) => {
      const { owner, repo } = request.params;
      const path = splitPackagePath(request.params['*'], owner, repo);
      const npmRepo = await resolveNpmRepo(ctx, request.actor, owner, repo, 'Read');
      if (path.rest.length === 2 && path.rest[0] === '-') {
        const tarball = await registryTarball(ctx, npmRepo, path.name, path.rest[1]!);
        void reply.headers({
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(tarball.size),
          ETag: `"${tarball.sha256}"`,
        });
        if (request.method === 'HEAD') return reply.send();
        return reply.send(await tarball.open());
      }
      if (path.rest.length > 0) {
        throw new ServiceError(
          'not_found',
          `No such registry endpoint: ${request.method} ${request.url.split('?')[0]}`,
        );
      }
      const abbreviated = wantsAbbreviated(request);
      const served = await registryPackument(ctx, npmRepo, path.name, abbreviated);
      if (!served) throw new ServiceError('not_found', `'${path.name}' is not in ${owner}/${repo}.`);
      const { etag } = served;
      if (served.stale) void reply.header(UPSTREAM_HEADER, 'stale');
      void reply
        .header('Content-Type', abbreviated ? ABBREVIATED_TYPE : 'application/json')
        .header('Vary', 'Accept, Accept-Encoding')
        .header('ETag', etag);
      if (notModified(request, etag)) return reply.code(304).send();
      // Serialised (and gzipped) once per change of the packument, never per request.
      const body = await served.body();
      if (body.gzipped && acceptsGzip(request)) {
        return reply.header('Content-Encoding', 'gzip').send(body.gzipped);
      }
      return reply.send(body.text);
    },
  });

  app.put(
    '/:owner/:repo/*',
    {
      bodyLimit: publishBodyLimit(ctx),
      schema: {
        summary: 'npm publish, deprecate or unpublish (a PUT of the packument)',
        tags,
        params: RestParams,
      },
    },
    async (request, reply) => {
      const { owner, repo } = request.params;
      const path = splitPackagePath(request.params['*'], owner, repo);
      const doc = asObject(request.body, 'The packument');
      const unpublish = path.rest.length === 2 && path.rest[0] === '-rev';
      if (!unpublish && path.rest.length > 0) {
        throw new ServiceError('not_found', `No such registry endpoint: PUT ${request.url.split('?')[0]}`);
      }
      const attachments = doc._attachments;
      if (
        !unpublish &&
        attachments &&
        typeof attachments === 'object' &&
        Object.keys(attachments).length > 0
      ) {
        const result = await publishVersion(ctx, request.actor, owner, repo, path.name, doc);
        return reply.code(201).send({ ok: true, id: result.id, success: true });
      }
      return updatePackument(ctx, request.actor, owner, repo, path.name, doc, { unpublish });
    },
  );

  app.delete(
    '/:owner/:repo/*',
    { schema: { summary: 'npm unpublish (the package, or a tarball)', tags, params: RestParams } },
    async (request) => {
      const { owner, repo } = request.params;
      const path = splitPackagePath(request.params['*'], owner, repo);
      const { rest } = path;
      if (rest.length === 2 && rest[0] === '-rev')
        return unpublishPackage(ctx, request.actor, owner, repo, path.name);
      if (rest.length === 4 && rest[0] === '-' && rest[2] === '-rev') {
        return unpublishTarball(ctx, request.actor, owner, repo, path.name, rest[1]!);
      }
      throw new ServiceError('not_found', `No such registry endpoint: DELETE ${request.url.split('?')[0]}`);
    },
  );
}
