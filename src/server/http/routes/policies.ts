import type { TObject } from 'typebox';
import { Type } from '../../../api/type.js';
import { POLICY_KINDS, PolicyViolation, type PolicyKind } from '../../../api/policies.js';
import {
  createPolicy,
  deletePolicy,
  findPolicy,
  listPolicies,
  policyOrg,
  policyView,
  updatePolicy,
} from '../../policies/policies.js';
import { listPolicyViolations } from '../../domain/policy-violations.js';
import { PageQuery, pageWindow, setPaginationHeaders } from '../pagination.js';
import type { RouteModule } from '../types.js';

const OrgParams = Type.Object({ org: Type.String() });
const PolicyParams = Type.Object({ org: Type.String(), id: Type.String() });

/**
 * `/orgs/{org}/vulnerability-policy/`, `/license-policy/` and `/deny-policy/` (+ `{slug_perm}/`),
 * and the violation lists `/orgs/{org}/{kind}-policy-violation/`. Org members read; Managers write.
 */
export const policyRoutes: RouteModule = (app, ctx) => {
  for (const [kind, def] of Object.entries(POLICY_KINDS) as [
    PolicyKind,
    { path: string; request: TObject; response: TObject },
  ][]) {
    const base = `/orgs/:org/${def.path}/`;
    const tags = ['policies'];
    app.get(
      base,
      {
        schema: {
          tags,
          summary: `List ${kind} policies`,
          params: OrgParams,
          response: { 200: Type.Array(def.response) },
        },
      },
      async (request) => {
        const org = await policyOrg(ctx, request.actor, request.params.org, false);
        return (await listPolicies(ctx, org.id, kind)).map((r) => policyView(kind, r));
      },
    );
    app.post(
      base,
      {
        schema: {
          tags,
          summary: `Create a ${kind} policy`,
          params: OrgParams,
          body: def.request,
          response: { 201: def.response },
        },
      },
      async (request, reply) => {
        const org = await policyOrg(ctx, request.actor, request.params.org, true);
        const row = await createPolicy(
          ctx,
          request.actor,
          org,
          kind,
          request.body as Record<string, unknown>,
        );
        return reply.code(201).send(policyView(kind, row));
      },
    );
    app.get(
      `${base}:id/`,
      {
        schema: {
          tags,
          summary: `Get a ${kind} policy`,
          params: PolicyParams,
          response: { 200: def.response },
        },
      },
      async (request) => {
        const org = await policyOrg(ctx, request.actor, request.params.org, false);
        return policyView(kind, await findPolicy(ctx, org.id, kind, request.params.id));
      },
    );
    for (const method of ['put', 'patch'] as const) {
      app[method](
        `${base}:id/`,
        {
          schema: {
            tags,
            summary: method === 'put' ? `Replace a ${kind} policy` : `Change a ${kind} policy`,
            params: PolicyParams,
            body: method === 'put' ? def.request : Type.Partial(def.request),
            response: { 200: def.response },
          },
        },
        async (request) => {
          const org = await policyOrg(ctx, request.actor, request.params.org, true);
          const row = await findPolicy(ctx, org.id, kind, request.params.id);
          return policyView(
            kind,
            await updatePolicy(
              ctx,
              request.actor,
              row,
              request.body as Record<string, unknown>,
              method === 'put',
            ),
          );
        },
      );
    }
    app.delete(
      `${base}:id/`,
      { schema: { tags, summary: `Delete a ${kind} policy`, params: PolicyParams } },
      async (request, reply) => {
        const org = await policyOrg(ctx, request.actor, request.params.org, true);
        await deletePolicy(ctx, request.actor, await findPolicy(ctx, org.id, kind, request.params.id));
        return reply.code(204).send();
      },
    );
    if (kind === 'deny') continue;
    app.get(
      `/orgs/:org/${def.path}-violation/`,
      {
        schema: {
          tags,
          summary: `Recorded ${kind} policy violations, newest first`,
          params: OrgParams,
          querystring: PageQuery,
          response: { 200: Type.Array(PolicyViolation) },
        },
      },
      async (request, reply) => {
        const org = await policyOrg(ctx, request.actor, request.params.org, false);
        const { page, size, offset } = pageWindow(request.query);
        const { items, count } = await listPolicyViolations(ctx, request.actor, org, kind, {
          offset,
          size,
        });
        setPaginationHeaders(request, reply, page, size, count);
        return items;
      },
    );
  }
};
