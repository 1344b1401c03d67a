import { Type } from '../../../api/type.js';
import { Namespace } from '../../../api/namespaces.js';
import { getNamespace } from '../../domain/namespaces.js';
import type { RouteModule } from '../types.js';

/** `/namespaces/{slug}/`: where every `namespace_url` points. */
export const namespaceRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/namespaces/:slug/',
    {
      schema: {
        tags: ['namespaces'],
        summary: 'Get a namespace (the organisation that owns repositories)',
        params: Type.Object({ slug: Type.String() }),
        response: { 200: Namespace },
      },
    },
    async (request) => getNamespace(ctx, request.actor, request.params.slug),
  );
};
