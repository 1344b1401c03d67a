import type { DownloadGuard } from '../domain/downloads.js';
import { ServiceError } from '../domain/errors.js';
import { packageMayMatchQuery } from '../domain/package-query.js';
import { listPolicyRecords } from '../store/policies.js';

/**
 * Refuses downloads of packages that an enabled deny policy of their organisation matches. A
 * policy whose stored query no longer parses fails closed for what it could match (the terms it
 * can still read narrow that down) and leaves every other policy and package alone.
 */
export const refuseDenied: DownloadGuard = async (ctx, pkg) => {
  const policies = await listPolicyRecords(ctx, pkg.org_id, ['deny']);
  for (const p of policies) {
    if (p.settings.enabled === false || !p.package_query_string) continue;
    const { matches, error } = await packageMayMatchQuery(ctx, pkg.id, p.package_query_string);
    if (error) {
      ctx.log.warn(
        { policy: p.id, query: p.package_query_string, error },
        'deny policy query cannot be read',
      );
    }
    if (!matches) continue;
    throw new ServiceError(
      'download_denied',
      error
        ? `Downloads of '${pkg.name}' ${pkg.version} are blocked by the deny policy '${p.name}' (${p.id}): ` +
            `its package_query_string cannot be read (${error}), so it blocks every package it could match until it is fixed.`
        : `Downloads of '${pkg.name}' ${pkg.version} are blocked by the deny policy '${p.name}' (${p.id}).`,
    );
  }
};
