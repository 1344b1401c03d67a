import { Type } from '../../../api/type.js';
import {
  OidcExchangeRequest,
  OidcExchangeResponse,
  OidcTokenInfo,
  ProviderSettings,
  ProviderSettingsPatchRequest,
  ProviderSettingsWriteRequest,
} from '../../../api/oidc.js';
import { exchangeOidcToken } from '../../oidc/exchange.js';
import {
  createProvider,
  deleteProvider,
  getProvider,
  listProviders,
  updateProvider,
} from '../../oidc/providers.js';
import { listTokens, revokeToken } from '../../oidc/token-admin.js';
import { PageQuery, pageWindow, setPaginationHeaders } from '../pagination.js';
import type { RouteModule } from '../types.js';

const OrgParams = Type.Object({ org: Type.String() });
const ProviderParams = Type.Object({ org: Type.String(), slug_perm: Type.String() });
const TokenParams = Type.Object({ org: Type.String(), token_id: Type.String() });
const tags = ['oidc'];

/**
 * OIDC trust: the token exchange `POST /openid/{org}/` (no other credentials; every refusal is
 * the same 401 `oidc_rejected`), provider settings under `/orgs/{org}/openid-connect/`, and the
 * exchanged tokens under `…/openid-connect/tokens/` (list and revoke). A credential sent to the
 * exchange anyway is still checked by the auth hook: a bad one is a 401 `invalid_token` before
 * the exchange runs, which says nothing about the organisation.
 */
export const openidRoutes: RouteModule = (app, ctx, { oidc }) => {
  app.post(
    '/openid/:org/',
    {
      config: { public: true },
      schema: {
        summary: 'Exchange a CI OIDC token for a short-lived token',
        tags,
        params: OrgParams,
        body: OidcExchangeRequest,
        response: { 200: OidcExchangeResponse },
      },
    },
    async (request) =>
      exchangeOidcToken(ctx, oidc, request.actor, request.params.org, request.body, request.log),
  );

  app.get(
    '/orgs/:org/openid-connect/',
    {
      schema: {
        summary: 'List trusted OIDC providers',
        tags,
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: Type.Array(ProviderSettings) },
      },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await listProviders(ctx, request.actor, request.params.org, window);
      setPaginationHeaders(request, reply, window.page, window.size, page.count);
      return page.items;
    },
  );

  app.post(
    '/orgs/:org/openid-connect/',
    {
      schema: {
        summary: 'Trust an OIDC provider',
        tags,
        params: OrgParams,
        body: ProviderSettingsWriteRequest,
        response: { 201: ProviderSettings },
      },
    },
    async (request, reply) => {
      const created = await createProvider(ctx, request.actor, request.params.org, request.body);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/orgs/:org/openid-connect/tokens/',
    {
      schema: {
        summary: 'List exchanged tokens',
        tags,
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: Type.Array(OidcTokenInfo) },
      },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await listTokens(ctx, request.actor, request.params.org, window);
      setPaginationHeaders(request, reply, window.page, window.size, page.count);
      return page.items;
    },
  );

  app.delete(
    '/orgs/:org/openid-connect/tokens/:token_id/',
    { schema: { summary: 'Revoke an exchanged token', tags, params: TokenParams } },
    async (request, reply) => {
      await revokeToken(ctx, request.actor, request.params.org, request.params.token_id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/orgs/:org/openid-connect/:slug_perm/',
    {
      schema: {
        summary: 'Get OIDC provider settings',
        tags,
        params: ProviderParams,
        response: { 200: ProviderSettings },
      },
    },
    async (request) => getProvider(ctx, request.actor, request.params.org, request.params.slug_perm),
  );

  app.put(
    '/orgs/:org/openid-connect/:slug_perm/',
    {
      schema: {
        summary: 'Replace OIDC provider settings',
        tags,
        params: ProviderParams,
        body: ProviderSettingsWriteRequest,
        response: { 200: ProviderSettings },
      },
    },
    async (request) =>
      updateProvider(ctx, request.actor, request.params.org, request.params.slug_perm, request.body, true),
  );

  app.patch(
    '/orgs/:org/openid-connect/:slug_perm/',
    {
      schema: {
        summary: 'Change OIDC provider settings',
        tags,
        params: ProviderParams,
        body: ProviderSettingsPatchRequest,
        response: { 200: ProviderSettings },
      },
    },
    async (request) =>
      updateProvider(ctx, request.actor, request.params.org, request.params.slug_perm, request.body, false),
  );

  app.delete(
    '/orgs/:org/openid-connect/:slug_perm/',
    { schema: { summary: 'Stop trusting an OIDC provider', tags, params: ProviderParams } },
    async (request, reply) => {
      await deleteProvider(ctx, request.actor, request.params.org, request.params.slug_perm);
      return reply.code(204).send();
    },
  );
};
