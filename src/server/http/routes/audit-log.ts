import type { FastifyRequest } from 'fastify';
import { Type } from '../../../api/type.js';
import { AuditLogEntry, AuditLogQuery } from '../../../api/audit.js';
import { OwnerParams, RepoParams } from '../../../api/repos.js';
import { requirePrincipal } from '../../domain/access.js';
import { listAuditLog } from '../../domain/audit-log.js';
import { pageWindow, setPaginationHeaders } from '../pagination.js';
import type { RouteModule } from '../types.js';

// Checked before the query string is validated, so an anonymous caller learns nothing but 401.
const signedIn = async (request: FastifyRequest): Promise<void> => void requirePrincipal(request.actor);

/** `GET /audit-log/{owner}/` (org Manager) and `GET /audit-log/{owner}/{repo}/` (repo Admin), newest first. */
export const auditLogRoutes: RouteModule = (app, ctx) => {
  const tags = ['audit-log'];

  app.get(
    '/audit-log/:owner/',
    {
      onRequest: signedIn,
      schema: {
        summary: "An organisation's audit log (org Manager)",
        tags,
        params: OwnerParams,
        querystring: AuditLogQuery,
        response: { 200: Type.Array(AuditLogEntry) },
      },
    },
    async (request, reply) => {
      const w = pageWindow(request.query);
      const { items, count } = await listAuditLog(
        ctx,
        request.actor,
        request.params.owner,
        null,
        request.query.query,
        w,
      );
      setPaginationHeaders(request, reply, w.page, w.size, count);
      return items;
    },
  );

  app.get(
    '/audit-log/:owner/:repo/',
    {
      onRequest: signedIn,
      schema: {
        summary: "A repository's audit log (repo Admin)",
        tags,
        params: RepoParams,
        querystring: AuditLogQuery,
        response: { 200: Type.Array(AuditLogEntry) },
      },
    },
    async (request, reply) => {
      const w = pageWindow(request.query);
      const { items, count } = await listAuditLog(
        ctx,
        request.actor,
        request.params.owner,
        request.params.repo,
        request.query.query,
        w,
      );
      setPaginationHeaders(request, reply, w.page, w.size, count);
      return items;
    },
  );
};
