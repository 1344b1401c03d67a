import type { DownloadGuard } from '../domain/downloads.js';
import { ServiceError } from '../domain/errors.js';
import { packageMatchesQuery } from '../domain/package-query.js';

/** Refuses downloads of packages that an enabled deny policy of their organisation matches. */
export const refuseDenied: DownloadGuard = async (ctx, pkg) => {
  const policies = await ctx.db
    .selectFrom('policies')
    .select(['id', 'name', 'settings', 'package_query_string'])
    .where('org_id', '=', pkg.org_id)
    .where('kind', '=', 'deny')
    .execute();
  for (const p of policies) {
    const { enabled } = JSON.parse(p.settings) as { enabled?: boolean };
    if (enabled === false || !p.package_query_string) continue;
    if (await packageMatchesQuery(ctx, pkg.id, p.package_query_string)) {
      throw new ServiceError(
        'download_denied',
        `Downloads of '${pkg.name}' ${pkg.version} are blocked by the deny policy '${p.name}' (${p.id}).`,
      );
    }
  }
};
