import type { Package, PackageQuarantineRequest } from '../../api/packages.js';
import type { Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { ServiceError } from './errors.js';
import { PACKAGE_STATUS } from './package-status.js';
import { findLivePackage, repoRef } from './package-query.js';
import { packageView } from './package-view.js';
import { emitEvents, recordPackageAudit } from './package-writes.js';
import { resolveRepo } from './repos.js';
import { updateLivePackage } from '../store/packages.js';
import { inTransaction } from '../store/source.js';

/** Whether a quarantine request asks for a release (`release`, or the older `restore`). */
export function isReleaseRequest(body: PackageQuarantineRequest | null | undefined): boolean {
  return body?.release === true || body?.restore === true;
}

/**
 * `POST …/{identifier}/quarantine/` (Admin): `{}` quarantines the package (its downloads are
 * then refused with 403), `{"release": true}` releases it. Asking for the state it is already
 * in is a `conflict` with Cloudsmith's wording.
 */
export async function setQuarantine(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  identifier: string,
  body: PackageQuarantineRequest | null | undefined,
): Promise<Package> {
  const access = await resolveRepo(ctx, actor, owner, repoSlug, 'Admin');
  const pkg = await findLivePackage(ctx, access.repo.id, identifier, `${owner}/${repoSlug}`);
  const release = isReleaseRequest(body);
  const at = ctx.clock();
  const now = at.toISOString();
  await inTransaction(ctx, async (trx) => {
    // Conditional on the current state, so two concurrent requests cannot both apply.
    const changed = await updateLivePackage(
      trx,
      { id: pkg.id, repoId: access.repo.id, quarantined: release },
      {
        is_quarantined: release ? 0 : 1,
        status: release ? PACKAGE_STATUS.completed : PACKAGE_STATUS.quarantined,
        status_updated_at: now,
        status_reason: release ? '' : 'Quarantined',
      },
    );
    if (!changed) {
      throw new ServiceError(
        'conflict',
        release
          ? "You cannot restore a package that's not quarantined."
          : 'You cannot quarantine this package at this point in time: it is already quarantined.',
      );
    }
    await recordPackageAudit(
      trx,
      actor,
      at,
      pkg,
      repoRef(access),
      release ? 'package.released' : 'package.quarantined',
      'action',
      { summary: release ? 'released from quarantine' : 'quarantined' },
    );
  });
  await emitEvents(ctx, [{ event: release ? 'package.released' : 'package.quarantined', packageId: pkg.id }]);
  return packageView(ctx, pkg.id);
}
