import { Type } from 'typebox';
import { VulnerabilityScanResults, VulnerabilityScanResultsList } from '../../../api/vulnerabilities.js';
import { ServiceError } from '../../domain/errors.js';
import { resolveOrg, resolveRepo } from '../../domain/repos.js';
import { findScan, scanDetail, scanListItem, scanRows } from '../../scan/results.js';
import { PageQuery, pageWindow, setPaginationHeaders } from '../pagination.js';
import type { RouteModule } from '../types.js';

const tags = ['vulnerabilities'];

/** `/vulnerabilities/{owner}/[{repo}/[{package}/[{identifier}/]]]`: scan results, newest first. */
export const vulnerabilityRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/vulnerabilities/:owner/',
    {
      schema: {
        tags,
        summary: 'Scan results of an organisation',
        params: Type.Object({ owner: Type.String() }),
        querystring: PageQuery,
        response: { 200: VulnerabilityScanResultsList },
      },
    },
    async (request, reply) => {
      const { org } = await resolveOrg(ctx, request.actor, request.params.owner, { manager: true });
      const { page, size, offset } = pageWindow(request.query);
      const base = scanRows(ctx.db).where('scans.org_id', '=', org.id);
      const rows = await base.orderBy('scans.completed_at', 'desc').limit(size).offset(offset).execute();
      const { count } = await ctx.db
        .selectFrom('scans')
        .where('org_id', '=', org.id)
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      setPaginationHeaders(request, reply, page, size, Number(count));
      return rows.map((r) => scanListItem(ctx, r));
    },
  );
  app.get(
    '/vulnerabilities/:owner/:repo/',
    {
      schema: {
        tags,
        summary: 'Scan results of a repository',
        params: Type.Object({ owner: Type.String(), repo: Type.String() }),
        querystring: PageQuery,
        response: { 200: VulnerabilityScanResultsList },
      },
    },
    async (request, reply) => {
      const scope = await resolveRepo(ctx, request.actor, request.params.owner, request.params.repo, 'Read');
      const { page, size, offset } = pageWindow(request.query);
      const rows = await scanRows(ctx.db)
        .where('scans.repo_id', '=', scope.repo.id)
        .orderBy('scans.completed_at', 'desc')
        .limit(size)
        .offset(offset)
        .execute();
      const { count } = await ctx.db
        .selectFrom('scans')
        .where('repo_id', '=', scope.repo.id)
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      setPaginationHeaders(request, reply, page, size, Number(count));
      return rows.map((r) => scanListItem(ctx, r));
    },
  );
  const PackageParams = Type.Object({ owner: Type.String(), repo: Type.String(), pkg: Type.String() });
  const findPackage = async (repoId: string, ident: string): Promise<string> => {
    const row = await ctx.db
      .selectFrom('packages')
      .select('id')
      .where('repo_id', '=', repoId)
      .where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('id', '=', ident), eb('slug', '=', ident)]))
      .executeTakeFirst();
    if (!row) throw new ServiceError('not_found', `Package '${ident}' not found in this repository.`);
    return row.id;
  };
  app.get(
    '/vulnerabilities/:owner/:repo/:pkg/',
    {
      schema: {
        tags,
        summary: 'Scan results of a package, newest first',
        params: PackageParams,
        response: { 200: VulnerabilityScanResultsList },
      },
    },
    async (request) => {
      const scope = await resolveRepo(ctx, request.actor, request.params.owner, request.params.repo, 'Read');
      const id = await findPackage(scope.repo.id, request.params.pkg);
      const rows = await scanRows(ctx.db)
        .where('scans.package_id', '=', id)
        .orderBy('scans.completed_at', 'desc')
        .orderBy('scans.seq', 'desc')
        .execute();
      return rows.map((r) => scanListItem(ctx, r));
    },
  );
  app.get(
    '/vulnerabilities/:owner/:repo/:pkg/:scan/',
    {
      schema: {
        tags,
        summary: 'One scan of a package with every finding',
        params: Type.Object({
          owner: Type.String(),
          repo: Type.String(),
          pkg: Type.String(),
          scan: Type.String(),
        }),
        response: {
          200: Type.Intersect([
            VulnerabilityScanResults,
            Type.Object({ outcome: Type.String(), reason: Type.String() }),
          ]),
        },
      },
    },
    async (request) => {
      const scope = await resolveRepo(ctx, request.actor, request.params.owner, request.params.repo, 'Read');
      const id = await findPackage(scope.repo.id, request.params.pkg);
      return scanDetail(ctx, await findScan(ctx, id, request.params.scan));
    },
  );
};
