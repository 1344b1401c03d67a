import { Type } from '../../../api/type.js';
import { Upstream, UpstreamFirewall, UpstreamPatch, UpstreamRequest } from '../../../api/upstreams.js';
import {
  createUpstream,
  deleteUpstream,
  findUpstream,
  listUpstreams,
  updateUpstream,
  upstreamFormat,
  upstreamScope,
  upstreamView,
} from '../../upstreams/config.js';
import { firewallMode, setFirewallMode } from '../../upstreams/firewall-setting.js';
import { PageQuery, pageWindow, setPaginationHeaders } from '../pagination.js';
import type { RouteModule } from '../types.js';

const RepoParams = Type.Object({ owner: Type.String(), repo: Type.String() });
const FormatParams = Type.Object({ owner: Type.String(), repo: Type.String(), format: Type.String() });
const OneParams = Type.Object({
  owner: Type.String(),
  repo: Type.String(),
  format: Type.String(),
  id: Type.String(),
});
const TAGS = ['upstreams'];

/**
 * `/repos/{owner}/{repo}/upstream/{format}/`: a repository's upstreams (Read lists, Admin
 * changes), and `/repos/{owner}/{repo}/upstream-firewall/`: what it does with blocked versions.
 */
export const upstreamRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/repos/:owner/:repo/upstream/:format/',
    {
      schema: {
        tags: TAGS,
        summary: 'List upstreams',
        params: FormatParams,
        querystring: PageQuery,
        response: { 200: Type.Array(Upstream) },
      },
    },
    async (request, reply) => {
      const { owner, repo, format } = request.params;
      const fmt = upstreamFormat(format);
      const access = await upstreamScope(ctx, request.actor, owner, repo, false);
      const { page, size, offset } = pageWindow(request.query);
      const { items, count } = await listUpstreams(ctx, access, fmt, { offset, size });
      setPaginationHeaders(request, reply, page, size, count);
      return items;
    },
  );
  app.post(
    '/repos/:owner/:repo/upstream/:format/',
    {
      schema: {
        tags: TAGS,
        summary: 'Create an upstream',
        params: FormatParams,
        body: UpstreamRequest,
        response: { 201: Upstream },
      },
    },
    async (request, reply) => {
      const { owner, repo, format } = request.params;
      const fmt = upstreamFormat(format);
      const access = await upstreamScope(ctx, request.actor, owner, repo, true);
      const row = await createUpstream(ctx, request.actor, access, fmt, request.body);
      return reply.code(201).send(upstreamView(ctx, access, row));
    },
  );
  app.get(
    '/repos/:owner/:repo/upstream/:format/:id/',
    {
      schema: { tags: TAGS, summary: 'Get an upstream', params: OneParams, response: { 200: Upstream } },
    },
    async (request) => {
      const { owner, repo, format, id } = request.params;
      const fmt = upstreamFormat(format);
      const access = await upstreamScope(ctx, request.actor, owner, repo, false);
      return upstreamView(ctx, access, await findUpstream(ctx, access, fmt, id));
    },
  );
  for (const method of ['patch', 'put'] as const) {
    app[method](
      '/repos/:owner/:repo/upstream/:format/:id/',
      {
        schema: {
          tags: TAGS,
          summary: method === 'put' ? 'Replace an upstream' : 'Change an upstream',
          params: OneParams,
          body: method === 'put' ? UpstreamRequest : UpstreamPatch,
          response: { 200: Upstream },
        },
      },
      async (request) => {
        const { owner, repo, format, id } = request.params;
        const fmt = upstreamFormat(format);
        const access = await upstreamScope(ctx, request.actor, owner, repo, true);
        const row = await findUpstream(ctx, access, fmt, id);
        const next = await updateUpstream(ctx, request.actor, access, row, request.body, method === 'put');
        return upstreamView(ctx, access, next);
      },
    );
  }
  app.delete(
    '/repos/:owner/:repo/upstream/:format/:id/',
    { schema: { tags: TAGS, summary: 'Delete an upstream', params: OneParams } },
    async (request, reply) => {
      const { owner, repo, format, id } = request.params;
      const fmt = upstreamFormat(format);
      const access = await upstreamScope(ctx, request.actor, owner, repo, true);
      await deleteUpstream(ctx, request.actor, access, await findUpstream(ctx, access, fmt, id));
      return reply.code(204).send();
    },
  );
  app.get(
    '/repos/:owner/:repo/upstream-firewall/',
    {
      schema: {
        tags: TAGS,
        summary: "The repository's firewall mode",
        params: RepoParams,
        response: { 200: UpstreamFirewall },
      },
    },
    async (request) => {
      const { owner, repo } = request.params;
      const access = await upstreamScope(ctx, request.actor, owner, repo, false);
      return { mode: await firewallMode(ctx, access.repo.id) };
    },
  );
  app.put(
    '/repos/:owner/:repo/upstream-firewall/',
    {
      schema: {
        tags: TAGS,
        summary: "Set the repository's firewall mode",
        params: RepoParams,
        body: UpstreamFirewall,
        response: { 200: UpstreamFirewall },
      },
    },
    async (request) => {
      const { owner, repo } = request.params;
      const access = await upstreamScope(ctx, request.actor, owner, repo, true);
      return { mode: await setFirewallMode(ctx, request.actor, access, request.body.mode) };
    },
  );
};
