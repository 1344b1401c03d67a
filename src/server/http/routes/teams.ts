import type { FastifyRequest } from 'fastify';
import { Type } from '../../../api/type.js';
import { OrgParams, Team, TeamCreate, TeamMembers, TeamParams, TeamUpdate } from '../../../api/access.js';
import { requirePrincipal } from '../../domain/access.js';
import {
  createTeam,
  deleteTeam,
  getTeam,
  getTeamMembers,
  listTeams,
  setTeamMembers,
  updateTeam,
} from '../../domain/teams.js';
import { PageQuery, pageWindow, setPaginationHeaders } from '../pagination.js';
import type { RouteModule } from '../types.js';

// Runs before the body is parsed and validated, so an anonymous caller learns nothing but 401.
const signedIn = async (request: FastifyRequest): Promise<void> => void requirePrincipal(request.actor);

/** Teams of an organisation (`/orgs/{org}/teams/…`) and their members. */
export const teamRoutes: RouteModule = (app, ctx) => {
  const tags = ['teams'];

  app.post(
    '/orgs/:org/teams/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'Create a team (org Manager)',
        tags,
        params: OrgParams,
        body: TeamCreate,
        response: { 201: Team },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createTeam(ctx, request.actor, request.params.org, request.body)),
  );

  app.get(
    '/orgs/:org/teams/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'List the teams of an organisation (org members)',
        tags,
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: Type.Array(Team) },
      },
    },
    async (request, reply) => {
      const w = pageWindow(request.query);
      const { items, count } = await listTeams(ctx, request.actor, request.params.org, w);
      setPaginationHeaders(request, reply, w.page, w.size, count);
      return items;
    },
  );

  app.get(
    '/orgs/:org/teams/:team/',
    {
      onRequest: signedIn,
      schema: { summary: 'Get a team (org members)', tags, params: TeamParams, response: { 200: Team } },
    },
    async (request) => getTeam(ctx, request.actor, request.params.org, request.params.team),
  );

  app.patch(
    '/orgs/:org/teams/:team/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'Change a team (org Manager)',
        tags,
        params: TeamParams,
        body: TeamUpdate,
        response: { 200: Team },
      },
    },
    async (request) => updateTeam(ctx, request.actor, request.params.org, request.params.team, request.body),
  );

  app.delete(
    '/orgs/:org/teams/:team/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'Delete a team (org Manager)',
        tags,
        params: TeamParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteTeam(ctx, request.actor, request.params.org, request.params.team);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/orgs/:org/teams/:team/members',
    {
      onRequest: signedIn,
      schema: {
        summary: "List a team's members (org members)",
        tags,
        params: TeamParams,
        response: { 200: TeamMembers },
      },
    },
    async (request) => getTeamMembers(ctx, request.actor, request.params.org, request.params.team),
  );

  for (const [method, mode, status, summary] of [
    ['POST', 'merge', 201, 'Add members to a team or change their role (org Manager)'],
    ['PUT', 'replace', 200, "Replace a team's members (org Manager)"],
  ] as const) {
    app.route({
      method,
      url: '/orgs/:org/teams/:team/members',
      onRequest: signedIn,
      schema: { summary, tags, params: TeamParams, body: TeamMembers, response: { [status]: TeamMembers } },
      handler: async (request, reply) =>
        reply
          .code(status)
          .send(
            await setTeamMembers(
              ctx,
              request.actor,
              request.params.org,
              request.params.team,
              request.body,
              mode,
            ),
          ),
    });
  }
};
