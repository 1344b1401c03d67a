import { Type } from '../../../api/type.js';
import { downloadRedirect, openDownload, resolveDownload } from '../../domain/downloads.js';
import { notModified, servedRange } from '../file-response.js';
import type { RouteModule } from '../types.js';

const DownloadParams = Type.Object({
  owner: Type.String(),
  repo: Type.String(),
  slug_perm: Type.String(),
  filename: Type.String(),
});

/** `attachment` with an ASCII fallback name and the exact name in RFC 8187 form. */
function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const exact = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

/** `GET`/`HEAD /dl/{owner}/{repo}/{slug_perm}/{filename}`: a package file (its `cdn_url`), with ranges. */
export const downloadRoutes: RouteModule = (app, ctx) => {
  app.route({
    method: ['GET', 'HEAD'],
    url: '/dl/:owner/:repo/:slug_perm/:filename',
    schema: {
      summary: 'Download a package file',
      description:
        'Streams the file with its checksums in X-Checksum-* headers; honours a single byte Range (206) and If-None-Match.',
      tags: ['downloads'],
      params: DownloadParams,
    },
    handler: async (request, reply) => {
      const { owner, repo, slug_perm: slugPerm, filename } = request.params;
      const file = await resolveDownload(ctx, request.actor, { owner, repo, slugPerm, filename });
      const etag = `"${file.sha256}"`;
      void reply.headers({
        'Accept-Ranges': 'bytes',
        ETag: etag,
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': contentDisposition(file.filename),
        'X-Checksum-Sha256': file.sha256,
        'X-Checksum-Md5': file.md5,
        'X-Checksum-Sha1': file.sha1,
      });
      if (notModified(request, etag)) return reply.code(304).send();
      // Checked and authorised above; the bucket serves the bytes (and any Range) itself.
      const redirect = request.method === 'GET' ? await downloadRedirect(ctx, file) : null;
      if (redirect) return reply.code(302).header('Location', redirect).send();
      const range = servedRange(request, reply, file.size);
      if (request.method === 'HEAD') return reply.send();
      return reply.send(await openDownload(ctx, file, range ?? undefined));
    },
  });
};
