import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { Type } from '../../../api/type.js';
import {
  FileCompleteRequest,
  FileInfo,
  FileInfoQuery,
  FileUpload,
  FileUploadRequest,
  FileValidateRequest,
  UploadedFile,
  UploadedPart,
  UploadUrlQuery,
} from '../../../api/files.js';
import type { Actor } from '../../domain/access.js';
import type { ServiceContext } from '../../domain/context.js';
import { invalidField, ServiceError } from '../../domain/errors.js';
import { completeUpload, receivePart, receiveUpload } from '../../domain/upload-receive.js';
import type { UploadSignature } from '../../domain/upload-signing.js';
import { abortUpload, requestUpload, uploadInfo, validateUploadRequest } from '../../domain/uploads.js';
import { declaredLength, settleFormPart, takeBody } from '../request-body.js';
import type { App, RouteModule } from '../types.js';

const RepoParams = Type.Object({ owner: Type.String(), repo: Type.String() });
const UploadParams = Type.Object({ owner: Type.String(), repo: Type.String(), identifier: Type.String() });
const TAGS = ['files'];

function credentialsFrom(source: { expires?: string; signature?: string }): Partial<UploadSignature> {
  const out: Partial<UploadSignature> = {};
  if (source.expires !== undefined) out.expires = source.expires;
  if (source.signature !== undefined) out.signature = source.signature;
  return out;
}

/**
 * Reads the `post` form the official CLI sends (the upload fields, then a `file` part) and
 * streams the file part into the upload. The signature comes from the URL, else from the fields.
 */
async function receiveForm(
  ctx: ServiceContext,
  actor: Actor,
  req: IncomingMessage,
  body: Readable,
  identifier: string,
  query: UploadUrlQuery,
): Promise<UploadedFile> {
  if (!/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '')) {
    throw new ServiceError(
      'unsupported_media_type',
      "A POST to the upload URL takes multipart/form-data (the upload_fields, then a 'file' part); send raw bytes with PUT.",
    );
  }
  let form: busboy.Busboy;
  try {
    form = busboy({
      headers: req.headers,
      highWaterMark: 1024 * 1024,
      fileHwm: 1024 * 1024,
      limits: { files: 1, fields: 32, fieldSize: 4096, parts: 40 },
    });
  } catch (err) {
    throw invalidField(
      'file',
      `Malformed multipart form: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const fields: Record<string, string> = {};
  const closed = new Promise<void>((resolve, reject) => {
    form.on('close', resolve);
    form.on('error', reject);
  });
  closed.catch(() => undefined);
  const received = new Promise<UploadedFile>((resolve, reject) => {
    let taken = false;
    form.on('field', (name, value) => {
      fields[name] = value;
    });
    form.on('file', (name, file) => {
      settleFormPart(file);
      if (name !== 'file' || taken) {
        file.resume();
        return;
      }
      taken = true;
      const credentials = credentialsFrom(query.signature !== undefined ? query : fields);
      receiveUpload(ctx, actor, { identifier, credentials, body: file }).then(resolve, reject);
    });
    form.on('close', () => {
      if (!taken) reject(invalidField('file', "The form has no 'file' part."));
    });
    form.on('error', (err: unknown) =>
      reject(
        invalidField('file', `Malformed multipart form: ${err instanceof Error ? err.message : String(err)}`),
      ),
    );
  });
  body.on('error', (err) => form.destroy(err));
  body.pipe(form);
  const result = await received;
  await closed;
  return result;
}

/** The upload URL: `PUT` raw bytes (whole file or one part) or `POST` the CLI's form. */
function uploadUrlRoutes(app: App, ctx: ServiceContext): void {
  // Bodies here are bytes of any type, read as a stream: no parser may buffer them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  const common = {
    config: { rawBody: true },
    bodyLimit: ctx.config.limits.uploadBytes,
    // The URL carries a signature: keep request URLs out of the access log.
    logLevel: 'warn' as const,
  };
  app.put(
    '/uploads/:identifier',
    {
      ...common,
      schema: {
        summary: 'Send the bytes of an upload (or one part of a put_parts upload)',
        tags: TAGS,
        params: Type.Object({ identifier: Type.String() }),
        querystring: UploadUrlQuery,
        response: { 200: Type.Union([UploadedFile, UploadedPart]) },
      },
    },
    async (request) => {
      const { body, release } = takeBody(request.raw);
      try {
        const use = {
          identifier: request.params.identifier,
          credentials: credentialsFrom(request.query),
          body,
          declaredLength: declaredLength(request.raw),
        };
        if (request.query.part_number === undefined) return await receiveUpload(ctx, request.actor, use);
        return await receivePart(ctx, request.actor, {
          ...use,
          partNumber: request.query.part_number,
          uploadId: request.query.upload_id,
        });
      } finally {
        release();
      }
    },
  );
  app.post(
    '/uploads/:identifier',
    {
      ...common,
      schema: {
        summary: 'Send the bytes of a post upload as a multipart form',
        tags: TAGS,
        params: Type.Object({ identifier: Type.String() }),
        querystring: UploadUrlQuery,
        response: { 200: UploadedFile },
      },
    },
    async (request) => {
      const { body, release } = takeBody(request.raw);
      try {
        return await receiveForm(
          ctx,
          request.actor,
          request.raw,
          body,
          request.params.identifier,
          request.query,
        );
      } finally {
        release();
      }
    },
  );
}

/** `/files/{owner}/{repo}/…` (request, validate, complete, abort, info) and the upload URL. */
export const fileRoutes: RouteModule = (app, ctx) => {
  app.post(
    '/files/:owner/:repo/',
    {
      schema: {
        summary: 'Request an upload',
        tags: TAGS,
        params: RepoParams,
        body: FileUploadRequest,
        response: { 202: FileUpload },
      },
    },
    async (request, reply) => {
      const { owner, repo } = request.params;
      return reply.code(202).send(await requestUpload(ctx, request.actor, owner, repo, request.body));
    },
  );
  app.post(
    '/files/:owner/:repo/validate/',
    {
      schema: {
        summary: 'Validate an upload request',
        tags: TAGS,
        params: RepoParams,
        body: FileValidateRequest,
      },
    },
    async (request, reply) => {
      await validateUploadRequest(
        ctx,
        request.actor,
        request.params.owner,
        request.params.repo,
        request.body,
      );
      return reply.code(204).send();
    },
  );
  app.post(
    '/files/:owner/:repo/:identifier/complete/',
    {
      schema: {
        summary: 'Complete a put_parts upload',
        tags: TAGS,
        params: UploadParams,
        body: FileCompleteRequest,
        response: { 201: UploadedFile },
      },
    },
    async (request, reply) => {
      const result = await completeUpload(ctx, request.actor, {
        ...request.params,
        uploadId: request.body.upload_id,
        complete: request.body.complete,
      });
      return reply.code(201).send(result);
    },
  );
  app.post(
    '/files/:owner/:repo/:identifier/abort/',
    { schema: { summary: 'Abort an upload', tags: TAGS, params: UploadParams } },
    async (request, reply) => {
      await abortUpload(ctx, request.actor, request.params);
      return reply.code(204).send();
    },
  );
  app.get(
    '/files/:owner/:repo/:identifier/info/',
    {
      schema: {
        summary: 'Where to send (a part of) an upload',
        tags: TAGS,
        params: UploadParams,
        querystring: FileInfoQuery,
        response: { 200: FileInfo },
      },
    },
    async (request) =>
      uploadInfo(ctx, request.actor, { ...request.params, partNumber: request.query.part_number }),
  );
  void app.register(async (scope) => uploadUrlRoutes(scope as App, ctx));
};
