import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '../../../api/type.js';
import type { Actor } from '../../domain/access.js';
import type { ServiceContext } from '../../domain/context.js';
import { ServiceError } from '../../domain/errors.js';
import type { Published } from '../../domain/publish.js';
import type { RepoAccess } from '../../domain/repos.js';
import { indexRepo, listProjects, normalizeProjectName, openCoreMetadata } from '../../pypi/index.js';
import { UPSTREAM_HEADER } from '../../upstreams/npm.js';
import { indexDistribution, indexPage, indexProject } from '../../upstreams/python-index.js';
import { cachedDocument, LruCache, type DocumentBody } from '../../domain/document-cache.js';
import { projectListTag } from '../../pypi/page-cache.js';
import {
  negotiateSimpleFormat,
  renderProjectApi,
  renderProjectListHtml,
  renderProjectListJson,
  SIMPLE_HTML,
  SIMPLE_JSON,
} from '../../pypi/render.js';
import {
  checkUploadFields,
  refused,
  uploadDistribution,
  uploadRepo,
  type UploadFields,
} from '../../pypi/upload.js';
import { declaredLength, settleFormPart, takeBody } from '../request-body.js';
import { acceptsGzip, notModified, servedRange } from '../file-response.js';
import type { App, RouteModule } from '../types.js';

const TAGS = ['python'];
const RepoParams = Type.Object({ owner: Type.String(), repo: Type.String() });
const ProjectParams = Type.Object({ owner: Type.String(), repo: Type.String(), project: Type.String() });
const VersionParams = Type.Object({
  owner: Type.String(),
  repo: Type.String(),
  project: Type.String(),
  version: Type.String(),
});
const FileParams = Type.Object({ owner: Type.String(), repo: Type.String(), filename: Type.String() });
const METADATA_SUFFIX = '.metadata';
// Memory for wheels' METADATA files (bytes).
const METADATA_CACHE_BYTES = 16 * 1024 * 1024;
const REVALIDATE = 'max-age=0, must-revalidate';

/**
 * Sends a simple page under its entity tag: 304 when the client holds it, else the page as
 * rendered the first time a page with this tag was asked for, gzipped for a client that takes
 * gzip (pip does) when the page is large enough for that to pay.
 */
async function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  page: { etag: string; form: 'html' | 'json'; body: () => Promise<DocumentBody> },
): Promise<FastifyReply> {
  void reply
    .header('Vary', 'Accept, Accept-Encoding')
    .header('Cache-Control', REVALIDATE)
    .header('ETag', page.etag)
    .type(page.form === 'json' ? SIMPLE_JSON : `${SIMPLE_HTML}; charset=utf-8`);
  if (notModified(request, page.etag)) return reply.code(304).send();
  const body = await page.body();
  if (body.gzipped && acceptsGzip(request)) {
    return reply.header('Content-Encoding', 'gzip').send(body.gzipped);
  }
  return reply.send(body.text);
}
// Room for the form's metadata fields (a long description) beside a file at the upload limit.
const FORM_OVERHEAD_BYTES = 4 * 1024 * 1024;

/**
 * What twine prints of a refused upload is the status line's reason phrase (PyPI puts its message
 * there), so every error of the index carries its detail in the reason phrase too, reduced to
 * the characters a status line may hold.
 */
function reasonPhrase(payload: unknown): string | null {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return null;
  try {
    const detail = (JSON.parse(payload) as { detail?: unknown }).detail;
    return typeof detail === 'string' ? detail.replace(/[^\x20-\x7e]+/g, ' ').slice(0, 400) : null;
  } catch {
    return null;
  }
}

/**
 * Relative file links resolve against the page's own URL, so a page is served at its canonical
 * URL only (normalised name, trailing slash); any other spelling is redirected there (301).
 */
function canonicalRedirect(
  request: FastifyRequest,
  reply: FastifyReply,
  params: { owner: string; repo: string },
  tail: string,
): FastifyReply | null {
  const [requested = ''] = request.url.split('?', 1);
  const prefix = requested.startsWith('/v1/') ? '/v1' : '';
  const canonical = `${prefix}/pypi/${encodeURIComponent(params.owner)}/${encodeURIComponent(params.repo)}/simple/${tail}`;
  if (requested === canonical) return null;
  return reply.code(301).header('Location', canonical).send();
}

// A project name as PEP 508 allows it; anything else cannot name a project of the index.
const PROJECT_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;

function checkProjectName(project: string): void {
  if (!PROJECT_NAME.test(project)) {
    throw new ServiceError(
      'not_found',
      `'${project.slice(0, 80)}' is not a project name, so no such project.`,
    );
  }
}

/**
 * Reads the upload form: fields, then the `content` file, which streams into the blob store as it
 * arrives (never buffered whole). Fields after the file are not read: twine sends them first.
 */
function readUploadForm(
  ctx: ServiceContext,
  actor: Actor,
  req: IncomingMessage,
  body: Readable,
  target: { owner: string; repo: string; access: RepoAccess },
): Promise<Published> {
  if (!/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '')) {
    throw new ServiceError(
      'unsupported_media_type',
      'An upload to the Python index is a multipart/form-data form (what twine sends).',
    );
  }
  let form: busboy.Busboy;
  try {
    form = busboy({
      headers: req.headers,
      highWaterMark: 1024 * 1024,
      fileHwm: 1024 * 1024,
      limits: { files: 4, fields: 2000, fieldSize: 2 * 1024 * 1024, parts: 2100 },
    });
  } catch (err) {
    throw refused('content', `Malformed multipart form: ${err instanceof Error ? err.message : String(err)}`);
  }
  const fields = new Map<string, string>();
  const result = new Promise<Published>((resolve, reject) => {
    let taken = false;
    form.on('field', (name, value) => fields.set(name, value));
    form.on('file', (name, file, info) => {
      settleFormPart(file);
      if (name !== 'content' || taken) {
        file.resume();
        return;
      }
      taken = true;
      const upload = { ...target, fields: fields as UploadFields, filename: info.filename ?? '', body: file };
      uploadDistribution(ctx, actor, upload).then(resolve, (err: unknown) => {
        file.resume();
        reject(err);
      });
    });
    form.on('close', () => {
      if (taken) return;
      try {
        checkUploadFields(fields);
        reject(refused('content', "The form has no 'content' file."));
      } catch (err) {
        reject(err);
      }
    });
    form.on('error', (err: unknown) =>
      reject(
        refused('content', `Malformed multipart form: ${err instanceof Error ? err.message : String(err)}`),
      ),
    );
  });
  body.on('error', (err) => form.destroy(err));
  body.pipe(form);
  return result;
}

/** The upload endpoint, in a scope of its own: its body is a stream no parser may buffer. */
function uploadRoute(app: App, ctx: ServiceContext): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  app.post(
    '/pypi/:owner/:repo/',
    {
      config: { rawBody: true },
      bodyLimit: ctx.config.limits.uploadBytes + FORM_OVERHEAD_BYTES,
      schema: {
        tags: TAGS,
        summary: 'Upload a wheel or sdist (the legacy upload API twine and uv use)',
        description:
          'A multipart form with `:action=file_upload`, `protocol_version=1`, metadata fields, the digests and a `content` file; HTTP basic auth with `__token__` and an API key or OIDC-exchanged token. See docs/python.md.',
        params: RepoParams,
      },
    },
    async (request, reply) => {
      const { owner, repo } = request.params;
      const { body, release } = takeBody(request.raw);
      try {
        const access = await uploadRepo(ctx, request.actor, owner, repo);
        const length = declaredLength(request.raw);
        if (length !== undefined && length > ctx.config.limits.uploadBytes + FORM_OVERHEAD_BYTES) {
          throw new ServiceError(
            'payload_too_large',
            `The upload is larger than this server accepts (${ctx.config.limits.uploadBytes} bytes); nothing was stored.`,
          );
        }
        const pkg = await readUploadForm(ctx, request.actor, request.raw, body, { owner, repo, access });
        return reply
          .code(200)
          .type('text/plain; charset=utf-8')
          .send(`OK: ${pkg.filename} (${pkg.slug_perm})\n`);
      } finally {
        release();
      }
    },
  );
}

/** `/pypi/{owner}/{repo}/…`: the native Python index (uploads, simple API, files, JSON API). */
export const pypiRoutes: RouteModule = (app, ctx) => {
  const metadata = new LruCache<Buffer>(METADATA_CACHE_BYTES, (bytes) => bytes.length);
  void app.register(async (scope) => {
    const index = scope as App;
    index.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode < 400) return payload;
      const reason = reasonPhrase(payload);
      if (reason) reply.raw.statusMessage = reason;
      // So that pip and twine know to ask for (or look up) credentials.
      if (reply.statusCode === 401) void reply.header('WWW-Authenticate', 'Basic realm="airlock"');
      return payload;
    });
    void index.register(async (uploads) => uploadRoute(uploads as App, ctx));

    index.get(
      '/pypi/:owner/:repo/simple/',
      {
        schema: {
          tags: TAGS,
          summary: 'The simple index: every project (PEP 503 HTML or PEP 691 JSON by Accept)',
          params: RepoParams,
        },
      },
      async (request, reply) => {
        const { owner, repo } = request.params;
        const access = await indexRepo(ctx, request.actor, owner, repo);
        const redirect = canonicalRedirect(request, reply, request.params, '');
        if (redirect) return redirect;
        const projects = await listProjects(ctx, access);
        const form = negotiateSimpleFormat(request.headers.accept);
        const etag = projectListTag(projects, form);
        const render = async () => ({
          text:
            form === 'json'
              ? JSON.stringify(renderProjectListJson(projects))
              : renderProjectListHtml(projects),
          keep: true,
        });
        const key = `simple-list\0${etag}\0${access.repo.id}`;
        return sendPage(request, reply, { etag, form, body: () => cachedDocument(ctx, key, render) });
      },
    );

    index.get(
      '/pypi/:owner/:repo/simple/:project/',
      {
        schema: {
          tags: TAGS,
          summary: "A project's files (PEP 503 HTML or PEP 691 JSON by Accept)",
          description:
            'Names are matched as PEP 503 normalises them; any other spelling, or a URL without the trailing slash, is redirected (301) to the normalised URL.',
          params: ProjectParams,
        },
      },
      async (request, reply) => {
        const { owner, repo, project } = request.params;
        const access = await indexRepo(ctx, request.actor, owner, repo);
        checkProjectName(project);
        const redirect = canonicalRedirect(
          request,
          reply,
          request.params,
          `${normalizeProjectName(project)}/`,
        );
        if (redirect) return redirect;
        const form = negotiateSimpleFormat(request.headers.accept);
        const page = await indexPage(ctx, access, project, form);
        if (page.stale) void reply.header(UPSTREAM_HEADER, 'stale');
        return sendPage(request, reply, { ...page, form });
      },
    );

    index.route({
      method: ['GET', 'HEAD'],
      url: '/pypi/:owner/:repo/files/:filename',
      schema: {
        tags: TAGS,
        summary: "A distribution file, or a wheel's core metadata at `<file>.metadata` (PEP 658)",
        description: 'Honours a single byte Range (206) and If-None-Match.',
        params: FileParams,
      },
      handler: async (request, reply) => {
        const { owner, repo, filename } = request.params;
        const access = await indexRepo(ctx, request.actor, owner, repo);
        if (filename.endsWith(METADATA_SUFFIX)) {
          const core = await openCoreMetadata(ctx, access, filename.slice(0, -METADATA_SUFFIX.length));
          const etag = `"${core.sha256}"`;
          void reply.type('text/plain; charset=utf-8').header('ETag', etag);
          if (notModified(request, etag)) return reply.code(304).send();
          if (request.method === 'HEAD') return reply.send();
          return reply.send(await metadata.getOrMake(core.wheelSha256, core.read));
        }
        const file = await indexDistribution(ctx, access, filename);
        const etag = `"${file.sha256}"`;
        void reply.headers({
          'Accept-Ranges': file.ranged ? 'bytes' : 'none',
          ETag: etag,
          'Content-Type': 'application/octet-stream',
          'X-Checksum-Sha256': file.sha256,
        });
        if (notModified(request, etag)) return reply.code(304).send();
        // A file fetched whole from an upstream is sent whole: its Range is not honoured.
        let range: { start: number; end: number } | null = null;
        if (file.ranged) range = servedRange(request, reply, file.size);
        else void reply.header('Content-Length', String(file.size));
        if (request.method === 'HEAD') return reply.send();
        return reply.send(await file.open(range ?? undefined));
      },
    });

    const projectApi = async (
      request: FastifyRequest<{ Params: { owner: string; repo: string; project: string; version?: string } }>,
    ): Promise<object> => {
      const { owner, repo, project, version } = request.params;
      const access = await indexRepo(ctx, request.actor, owner, repo);
      checkProjectName(project);
      const { project: files } = await indexProject(ctx, access, project);
      if (version !== undefined && !files.files.some((f) => f.version === version)) {
        throw new ServiceError('not_found', `Version '${version}' of project '${project}' not found.`);
      }
      const base = `${ctx.baseUrl}${request.url.startsWith('/v1/') ? '/v1' : ''}/pypi/${owner}/${repo}/files/`;
      return renderProjectApi(files, (filename) => base + encodeURIComponent(filename), version);
    };
    index.get(
      '/pypi/:owner/:repo/pypi/:project/json',
      {
        schema: {
          tags: TAGS,
          summary: "The JSON project API: the current version's info and every release's files",
          params: ProjectParams,
        },
      },
      projectApi,
    );
    index.get(
      '/pypi/:owner/:repo/pypi/:project/:version/json',
      {
        schema: { tags: TAGS, summary: 'The JSON project API for one version', params: VersionParams },
      },
      projectApi,
    );
  });
};
