import type { Namespace } from '../../api/namespaces.js';
import type { Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { resolveOrg } from './repos.js';

/** The namespace of an organisation, for any account of that organisation. */
export async function getNamespace(ctx: ServiceContext, actor: Actor, slug: string): Promise<Namespace> {
  const { org } = await resolveOrg(ctx, actor, slug, { manager: false });
  return { name: org.name, slug: org.slug, slug_perm: org.id, type_name: 'Organization' };
}
