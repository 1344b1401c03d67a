import type { FastifyRequest } from 'fastify';
import { Type } from '../../../api/type.js';
import { RepositoryPrivileges } from '../../../api/access.js';
import {
  OwnerParams,
  RepoParams,
  Repository,
  RepositoryCreate,
  RepositoryUpdate,
} from '../../../api/repos.js';
import { requirePrincipal } from '../../domain/access.js';
import { getPrivileges, setPrivileges } from '../../domain/privileges.js';
import {
  createRepo,
  deleteRepo,
  getRepo,
  listCallerRepos,
  listRepos,
  updateRepo,
} from '../../domain/repos.js';
import { PageQuery, pageWindow, setPaginationHeaders } from '../pagination.js';
import type { RouteModule } from '../types.js';

// Runs before the body is parsed and validated, so an anonymous caller learns nothing but 401.
const signedIn = async (request: FastifyRequest): Promise<void> => void requirePrincipal(request.actor);

/** Repositories (`/repos/`, `/repos/{owner}/…`) and their privileges (`/repos/{owner}/{repo}/privileges`). */
export const repoRoutes: RouteModule = (app, ctx) => {
  const tags = ['repos'];

  app.post(
    '/repos/:owner/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'Create a repository (org Manager)',
        tags,
        params: OwnerParams,
        body: RepositoryCreate,
        response: { 201: Repository },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createRepo(ctx, request.actor, request.params.owner, request.body)),
  );

  app.get(
    '/repos/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'List the repositories the caller may read in its own organisation',
        tags,
        querystring: PageQuery,
        response: { 200: Type.Array(Repository) },
      },
    },
    async (request, reply) => {
      const w = pageWindow(request.query);
      const { items, count } = await listCallerRepos(ctx, request.actor, w);
      setPaginationHeaders(request, reply, w.page, w.size, count);
      return items;
    },
  );

  app.get(
    '/repos/:owner/',
    {
      schema: {
        summary: 'List the repositories the caller may read',
        tags,
        params: OwnerParams,
        querystring: PageQuery,
        response: { 200: Type.Array(Repository) },
      },
    },
    async (request, reply) => {
      const w = pageWindow(request.query);
      const { items, count } = await listRepos(ctx, request.actor, request.params.owner, w);
      setPaginationHeaders(request, reply, w.page, w.size, count);
      return items;
    },
  );

  app.get(
    '/repos/:owner/:repo/',
    { schema: { summary: 'Get a repository', tags, params: RepoParams, response: { 200: Repository } } },
    async (request) => getRepo(ctx, request.actor, request.params.owner, request.params.repo),
  );

  app.patch(
    '/repos/:owner/:repo/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'Change a repository (repo Admin)',
        tags,
        params: RepoParams,
        body: RepositoryUpdate,
        response: { 200: Repository },
      },
    },
    async (request) =>
      updateRepo(ctx, request.actor, request.params.owner, request.params.repo, request.body),
  );

  app.delete(
    '/repos/:owner/:repo/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'Delete a repository (repo Admin)',
        tags,
        params: RepoParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteRepo(ctx, request.actor, request.params.owner, request.params.repo);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/repos/:owner/:repo/privileges',
    {
      onRequest: signedIn,
      schema: {
        summary: 'List the privileges granted on a repository (repo Admin)',
        tags,
        params: RepoParams,
        response: { 200: RepositoryPrivileges },
      },
    },
    async (request) => getPrivileges(ctx, request.actor, request.params.owner, request.params.repo),
  );

  for (const [method, mode, summary] of [
    ['PUT', 'replace', 'Replace every privilege on a repository (repo Admin)'],
    ['PATCH', 'merge', 'Add or change privileges on a repository (repo Admin)'],
  ] as const) {
    app.route({
      method,
      url: '/repos/:owner/:repo/privileges',
      onRequest: signedIn,
      schema: {
        summary,
        tags,
        params: RepoParams,
        body: RepositoryPrivileges,
        response: { 204: Type.Null() },
      },
      handler: async (request, reply) => {
        await setPrivileges(
          ctx,
          request.actor,
          request.params.owner,
          request.params.repo,
          request.body,
          mode,
        );
        return reply.code(204).send(null);
      },
    });
  }
};
