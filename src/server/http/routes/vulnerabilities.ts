import { Type } from '../../../api/type.js';
import { VulnerabilityScanResults, VulnerabilityScanResultsList } from '../../../api/vulnerabilities.js';
import { SecurityOverview } from '../../../api/security-overview.js';
import { securityOverview } from '../../domain/security-overview.js';
import { getPackageScan, listOrgScans, listRepoScans, listScansOfPackage } from '../../domain/scan-lists.js';
import { PageQuery, pageWindow, setPaginationHeaders } from '../pagination.js';
import type { RouteModule } from '../types.js';

const tags = ['vulnerabilities'];

/** `/vulnerabilities/{owner}/[{repo}/[{package}/[{identifier}/]]]`: scan results, newest first. */
export const vulnerabilityRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/security-overview/:owner/',
    {
      schema: {
        tags,
        summary: 'Security scanning overview of an organisation (Airlock extra)',
        description:
          'Counts over the repositories the caller may read: scanned, awaiting and not scanned, policy pass/fail, the highest severity found, scan age, coverage gaps and the age of the advisory data; `queries` holds the package search behind each count.',
        params: Type.Object({ owner: Type.String() }),
        response: { 200: SecurityOverview },
      },
    },
    async (request) => securityOverview(ctx, request.actor, request.params.owner, null),
  );
  app.get(
    '/security-overview/:owner/:repo/',
    {
      schema: {
        tags,
        summary: 'Security scanning overview of a repository (Airlock extra)',
        params: Type.Object({ owner: Type.String(), repo: Type.String() }),
        response: { 200: SecurityOverview },
      },
    },
    async (request) => securityOverview(ctx, request.actor, request.params.owner, request.params.repo),
  );
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
      const { page, size, offset } = pageWindow(request.query);
      const { items, count } = await listOrgScans(ctx, request.actor, request.params.owner, { offset, size });
      setPaginationHeaders(request, reply, page, size, count);
      return items;
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
      const { owner, repo } = request.params;
      const { page, size, offset } = pageWindow(request.query);
      const { items, count } = await listRepoScans(ctx, request.actor, owner, repo, { offset, size });
      setPaginationHeaders(request, reply, page, size, count);
      return items;
    },
  );
  const PackageParams = Type.Object({ owner: Type.String(), repo: Type.String(), pkg: Type.String() });
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
      const { owner, repo, pkg } = request.params;
      return listScansOfPackage(ctx, request.actor, owner, repo, pkg);
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
      const { owner, repo, pkg, scan } = request.params;
      return getPackageScan(ctx, request.actor, owner, repo, pkg, scan);
    },
  );
};
