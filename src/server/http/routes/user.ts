import { UserSelf, UserTokens } from '../../../api/access.js';
import { describeSelf, listOwnTokens } from '../../domain/services.js';
import { credentialFrom } from '../auth-hook.js';
import type { RouteModule } from '../types.js';

/** `GET /user/self/` and `GET /user/tokens/`: who the caller is, and its own key (what `cloudsmith whoami -v` shows). */
export const userRoutes: RouteModule = (app, ctx) => {
  const tags = ['user'];

  app.get(
    '/user/self/',
    {
      schema: {
        summary: 'The calling service account (authenticated: false when anonymous)',
        tags,
        response: { 200: UserSelf },
      },
    },
    async (request) => describeSelf(ctx, request.actor),
  );

  app.get(
    '/user/tokens/',
    { schema: { summary: "The caller's own API key, obfuscated", tags, response: { 200: UserTokens } } },
    async (request) => listOwnTokens(ctx, request.actor, credentialFrom(request)),
  );
};
