import { Type } from '../../../api/type.js';
import { AuditLogEntry } from '../../../api/audit.js';
import {
  Package,
  PackageCopyRequest,
  PackageListQuery,
  PackageMoveRequest,
  PackageQuarantineRequest,
  PackageStatus,
  PackageTagRequest,
  PackageUploadRequest,
} from '../../../api/packages.js';
import {
  getPackage,
  getPackageStatus,
  listPackageAuditTrail,
  listOrgPackages,
  listPackages,
} from '../../domain/package-query.js';
import { tagPackage } from '../../domain/package-tags.js';
import {
  createPackage,
  deletePackage,
  requestPackageScan,
  resyncPackage,
  validatePackageUpload,
} from '../../domain/packages.js';
import { copyPackage, movePackage } from '../../domain/promotion.js';
import { setQuarantine } from '../../domain/quarantine.js';
import { PageQuery, pageWindow, setPaginationHeaders } from '../pagination.js';
import type { RouteModule } from '../types.js';

const RepoParams = Type.Object({ owner: Type.String(), repo: Type.String() });
const FormatParams = Type.Object({ owner: Type.String(), repo: Type.String(), format: Type.String() });
const PackageParams = Type.Object({ owner: Type.String(), repo: Type.String(), identifier: Type.String() });
// Bodyless POSTs (the official CLI's quarantine) parse as {}; a request with no body at all is null.
const OptionalQuarantine = Type.Union([PackageQuarantineRequest, Type.Null()]);
const TAGS = ['packages'];

/** `/packages/{owner}/{repo}/…`: create, list, read, promote, tag, quarantine and delete packages. */
export const packageRoutes: RouteModule = (app, ctx, { scan }) => {
  app.post(
    '/packages/:owner/:repo/upload/:format/',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a package from an upload',
        params: FormatParams,
        body: PackageUploadRequest,
        response: { 201: Package },
      },
    },
    async (request, reply) => {
      const { owner, repo, format } = request.params;
      const pkg = await createPackage(ctx, request.actor, owner, repo, format, request.body);
      return reply.code(201).send(pkg);
    },
  );
  app.post(
    '/packages/:owner/:repo/validate-upload/:format/',
    {
      schema: {
        tags: TAGS,
        summary: 'Check a create request without creating anything',
        params: FormatParams,
        body: PackageUploadRequest,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { owner, repo, format } = request.params;
      await validatePackageUpload(ctx, request.actor, owner, repo, format, request.body);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/packages/:owner/',
    {
      schema: {
        tags: TAGS,
        summary: 'List packages of every repository of an organisation the caller may read (Airlock extra)',
        description:
          'The same `query`, `sort` and paging as a repository listing; the organisation-wide counts of the security overview link to it.',
        params: Type.Object({ owner: Type.String() }),
        querystring: PackageListQuery,
        response: { 200: Type.Array(Package) },
      },
    },
    async (request, reply) => {
      const { page, size, offset } = pageWindow(request.query);
      const { items, count } = await listOrgPackages(
        ctx,
        request.actor,
        request.params.owner,
        request.query,
        {
          offset,
          size,
        },
      );
      setPaginationHeaders(request, reply, page, size, count);
      return items;
    },
  );
  app.get(
    '/packages/:owner/:repo/',
    {
      schema: {
        tags: TAGS,
        summary: 'List packages',
        params: RepoParams,
        querystring: PackageListQuery,
        response: { 200: Type.Array(Package) },
      },
    },
    async (request, reply) => {
      const { owner, repo } = request.params;
      const { page, size, offset } = pageWindow(request.query);
      const { items, count } = await listPackages(ctx, request.actor, owner, repo, request.query, {
        offset,
        size,
      });
      setPaginationHeaders(request, reply, page, size, count);
      return items;
    },
  );
  app.get(
    '/packages/:owner/:repo/:identifier/',
    { schema: { tags: TAGS, summary: 'Get a package', params: PackageParams, response: { 200: Package } } },
    async (request) => {
      const { owner, repo, identifier } = request.params;
      return getPackage(ctx, request.actor, owner, repo, identifier);
    },
  );
  app.delete(
    '/packages/:owner/:repo/:identifier/',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a package',
        params: PackageParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { owner, repo, identifier } = request.params;
      await deletePackage(ctx, request.actor, owner, repo, identifier);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/packages/:owner/:repo/:identifier/status/',
    {
      schema: {
        tags: TAGS,
        summary: 'Get the sync status of a package',
        description:
          'With `wait=SECONDS` (at most 60) the answer is held until the security scan finishes or the time is up, so clients need not poll in a tight loop.',
        params: PackageParams,
        querystring: Type.Object({ wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 })) }),
        response: { 200: PackageStatus },
      },
    },
    async (request) => {
      const { owner, repo, identifier } = request.params;
      const wait = request.query.wait ?? 0;
      const waitFor = wait > 0 ? (id: string) => scan.waitForScan(id, wait) : undefined;
      return getPackageStatus(ctx, request.actor, owner, repo, identifier, waitFor);
    },
  );
  app.get(
    '/packages/:owner/:repo/:identifier/audit-log/',
    {
      schema: {
        tags: TAGS,
        summary: "List a package's audit trail, oldest first",
        params: PackageParams,
        querystring: PageQuery,
        response: { 200: Type.Array(AuditLogEntry) },
      },
    },
    async (request, reply) => {
      const { owner, repo, identifier } = request.params;
      const { page, size, offset } = pageWindow(request.query);
      const { items, count } = await listPackageAuditTrail(ctx, request.actor, owner, repo, identifier, {
        offset,
        size,
      });
      setPaginationHeaders(request, reply, page, size, count);
      return items;
    },
  );
  app.post(
    '/packages/:owner/:repo/:identifier/copy/',
    {
      schema: {
        tags: TAGS,
        summary: 'Copy a package to another repository',
        params: PackageParams,
        body: PackageCopyRequest,
        response: { 200: Package },
      },
    },
    async (request) => {
      const { owner, repo, identifier } = request.params;
      return copyPackage(ctx, request.actor, owner, repo, identifier, request.body);
    },
  );
  app.post(
    '/packages/:owner/:repo/:identifier/move/',
    {
      schema: {
        tags: TAGS,
        summary: 'Move a package to another repository',
        params: PackageParams,
        body: PackageMoveRequest,
        response: { 200: Package },
      },
    },
    async (request) => {
      const { owner, repo, identifier } = request.params;
      return movePackage(ctx, request.actor, owner, repo, identifier, request.body);
    },
  );
  app.post(
    '/packages/:owner/:repo/:identifier/tag/',
    {
      schema: {
        tags: TAGS,
        summary: 'Add, remove, replace or clear tags',
        params: PackageParams,
        body: PackageTagRequest,
        response: { 200: Package },
      },
    },
    async (request) => {
      const { owner, repo, identifier } = request.params;
      return tagPackage(ctx, request.actor, owner, repo, identifier, request.body);
    },
  );
  app.post(
    '/packages/:owner/:repo/:identifier/quarantine/',
    {
      schema: {
        tags: TAGS,
        summary: 'Quarantine a package, or release it',
        params: PackageParams,
        body: OptionalQuarantine,
        response: { 200: Package },
      },
    },
    async (request) => {
      const { owner, repo, identifier } = request.params;
      return setQuarantine(ctx, request.actor, owner, repo, identifier, request.body);
    },
  );
  app.post(
    '/packages/:owner/:repo/:identifier/resync/',
    {
      schema: {
        tags: TAGS,
        summary: 'Resynchronise a package',
        params: PackageParams,
        response: { 200: Package },
      },
    },
    async (request) => {
      const { owner, repo, identifier } = request.params;
      return resyncPackage(ctx, request.actor, owner, repo, identifier);
    },
  );
  app.post(
    '/packages/:owner/:repo/:identifier/scan/',
    {
      schema: {
        tags: TAGS,
        summary: 'Schedule a security scan of a package',
        params: PackageParams,
        response: { 200: Package },
      },
    },
    async (request) => {
      const { owner, repo, identifier } = request.params;
      const pkg = await requestPackageScan(ctx, request.actor, owner, repo, identifier);
      await scan.enqueue(pkg.slug_perm);
      return pkg;
    },
  );
};
