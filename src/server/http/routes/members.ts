import type { FastifyRequest } from 'fastify';
import { Type } from '../../../api/type.js';
import { MemberParams, OrgMember, OrgParams, Organization } from '../../../api/access.js';
import { requirePrincipal } from '../../domain/access.js';
import { getMember, getOrganization, listMembers } from '../../domain/users.js';
import { PageQuery, pageWindow, setPaginationHeaders } from '../pagination.js';
import type { RouteModule } from '../types.js';

// Runs before anything else, so an anonymous caller learns nothing but 401.
const signedIn = async (request: FastifyRequest): Promise<void> => void requirePrincipal(request.actor);

/** The organisation itself (`/orgs/{org}/`) and its members, the people in it (`/orgs/{org}/members/…`). */
export const memberRoutes: RouteModule = (app, ctx) => {
  const tags = ['members'];

  app.get(
    '/orgs/:org/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'Get an organisation by slug or slug_perm (org members)',
        tags,
        params: OrgParams,
        response: { 200: Organization },
      },
    },
    async (request) => getOrganization(ctx, request.actor, request.params.org),
  );

  app.get(
    '/orgs/:org/members/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'List the members of an organisation (org members)',
        tags,
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: Type.Array(OrgMember) },
      },
    },
    async (request, reply) => {
      const w = pageWindow(request.query);
      const { items, count } = await listMembers(ctx, request.actor, request.params.org, w);
      setPaginationHeaders(request, reply, w.page, w.size, count);
      return items;
    },
  );

  app.get(
    '/orgs/:org/members/:member/',
    {
      onRequest: signedIn,
      schema: {
        summary: 'Get a member by slug, slug_perm or email (org members)',
        tags,
        params: MemberParams,
        response: { 200: OrgMember },
      },
    },
    async (request) => getMember(ctx, request.actor, request.params.org, request.params.member),
  );
};
