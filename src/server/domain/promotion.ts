import type { Package, PackageCopyRequest, PackageMoveRequest } from '../../api/packages.js';
import type { Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { invalidField, ServiceError } from './errors.js';
import { newId } from './ids.js';
import { AWAITING_SCAN, completedSync } from './package-status.js';
import { addTags, claimVersionTags, loadTags } from './package-tags.js';
import { findLivePackage, repoRef } from './package-query.js';
import { packageView } from './package-view.js';
import {
  describePackage,
  duplicateError,
  emitEvents,
  findLiveVersion,
  freeSlug,
  recordPackageAudit,
  recordReplacement,
  replacePackage,
  type PackageRow,
  type PendingEvent,
} from './package-writes.js';
import { assertPromotionAllowed } from './promotion-rules.js';
import { isUniqueViolation, resolveRepo, type RepoAccess } from './repos.js';
import { findObjectEvents } from '../store/audit.js';
import { findOrgPackagesByIdOrSlug, insertPackage, updateLivePackage } from '../store/packages.js';
import { inTransaction } from '../store/source.js';

/**
 * Why a package that is not (any more) live in `source` is gone, when it left by a move or a
 * delete: a promotion racing one of those gets a 409 `conflict` saying so instead of a 404.
 */
async function explainGone(
  ctx: ServiceContext,
  source: RepoAccess,
  identifier: string,
): Promise<ServiceError | null> {
  const where = `${source.org.slug}/${source.repo.slug}`;
  const candidates = await findOrgPackagesByIdOrSlug(ctx, source.org.id, identifier);
  for (const c of candidates) {
    if (c.repo_id === source.repo.id && c.deleted_at !== null && c.id === identifier) {
      return new ServiceError(
        'conflict',
        `The ${describePackage(c)} was deleted from ${where} at ${c.deleted_at}.`,
      );
    }
    if (c.repo_id === source.repo.id) continue;
    const moves = await findObjectEvents(ctx, c.id, 'package.moved');
    const away = moves.find((m) => m.context.from === where);
    if (away) {
      const to = away.context.to;
      return new ServiceError(
        'conflict',
        `The ${describePackage(c)} is no longer in ${where}: it was moved to ${String(to)} at ${away.event_at}.`,
      );
    }
  }
  return null;
}

/** Source and destination of a promotion, each resolved with the privilege it needs. */
async function resolvePromotion(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  identifier: string,
  destination: string,
  sourcePrivilege: 'Read' | 'Admin',
): Promise<{ source: RepoAccess; dest: RepoAccess; pkg: PackageRow }> {
  const source = await resolveRepo(ctx, actor, owner, repoSlug, sourcePrivilege);
  let pkg: PackageRow;
  try {
    pkg = await findLivePackage(ctx, source.repo.id, identifier, `${owner}/${repoSlug}`);
  } catch (err) {
    throw (await explainGone(ctx, source, identifier)) ?? err;
  }
  const destSlug = destination.trim();
  if (destSlug === repoSlug) {
    throw invalidField('destination', `'${destSlug}' is the package's own repository; name another one.`);
  }
  const dest = await resolveRepo(ctx, actor, owner, destSlug, 'Write');
  if (pkg.is_quarantined === 1) {
    throw new ServiceError(
      'conflict',
      `The ${describePackage(pkg)} is quarantined and cannot be promoted; an Admin must release it first.`,
    );
  }
  assertPromotionAllowed(pkg, `${owner}/${dest.repo.slug}`, dest.repo.promotion_rules);
  return { source, dest, pkg };
}

/**
 * `POST …/{identifier}/copy/` (Read on the source, Write on the destination): a new package in
 * the destination repository sharing the same blob (so it costs the same for any size), with the
 * source's tags. A live package of the same version there is a 409 unless `republish` replaces it
 * (which needs what deleting it needs, see `replacePackage`). The package's build identity must
 * satisfy the destination's promotion rules (403 `promotion_rule_failed`).
 */
export async function copyPackage(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  identifier: string,
  body: PackageCopyRequest,
): Promise<Package> {
  const { source, dest, pkg } = await resolvePromotion(
    ctx,
    actor,
    owner,
    repoSlug,
    identifier,
    body.destination,
    'Read',
  );
  const from = repoRef(source);
  const to = repoRef(dest);
  const at = ctx.clock();
  const now = at.toISOString();
  const id = newId();
  const events: PendingEvent[] = [];
  try {
    await inTransaction(ctx, async (trx) => {
      const existing = await findLiveVersion(trx, dest.repo.id, pkg);
      if (existing) {
        if (!body.republish) throw duplicateError(pkg, to.path, existing);
        events.push(
          await replacePackage(trx, actor, at, dest.privilege, existing, to, id, `copied from ${from.path}`),
        );
      }
      const row: PackageRow = {
        ...pkg,
        id,
        repo_id: dest.repo.id,
        slug: await freeSlug(trx, dest.repo.id, pkg.name, pkg.version),
        ...completedSync(now),
        is_quarantined: 0,
        policy_violated: 0,
        security_scan_status: AWAITING_SCAN,
        security_scan_started_at: null,
        security_scan_completed_at: null,
        uploaded_at: now,
        deleted_at: null,
      };
      await insertPackage(trx, row);
      const tags = (await loadTags(trx, [pkg.id])).get(pkg.id) ?? [];
      for (const immutable of [false, true]) {
        const infos = tags.filter((t) => t.kind === 'info' && (t.immutable === 1) === immutable);
        await addTags(
          trx,
          id,
          infos.map((t) => t.tag),
          'info',
          immutable,
        );
      }
      const versionTags = tags.filter((t) => t.kind === 'version').map((t) => t.tag);
      events.push(...(await claimVersionTags(trx, actor, at, row, to, versionTags)));
      const origin = `${from.path}/${pkg.slug} (${pkg.id})`;
      await recordPackageAudit(trx, actor, at, row, to, 'package.copied', 'create', {
        summary: `copied from ${origin}`,
        copied_from: { repository: from.path, slug: pkg.slug, slug_perm: pkg.id },
        republished: existing?.id ?? null,
      });
      await recordPackageAudit(trx, actor, at, pkg, from, 'package.copied_to', 'action', {
        summary: `copied to ${to.path} as ${row.slug} (${id})`,
        copied_to: { repository: to.path, slug: row.slug, slug_perm: id },
      });
      if (existing) await recordReplacement(trx, actor, at, row, to, existing);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateError(pkg, to.path);
    throw err;
  }
  await emitEvents(ctx, [
    ...events,
    { event: 'package.created', packageId: id, extra: { copied_from: pkg.id } },
    { event: 'package.synced', packageId: id },
  ]);
  return packageView(ctx, id);
}

/**
 * `POST …/{identifier}/move/` (Admin on the source, Write on the destination, the destination's
 * promotion rules satisfied as for a copy): the package itself
 * (same slug_perm, tags and trail) changes repository. The change is conditional on the package
 * still being live in the source, so of two concurrent moves exactly one wins; the other is a
 * 409 `conflict`. A live package of the same version in the destination is a 409 too.
 */
export async function movePackage(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  identifier: string,
  body: PackageMoveRequest,
): Promise<Package> {
  const { source, dest, pkg } = await resolvePromotion(
    ctx,
    actor,
    owner,
    repoSlug,
    identifier,
    body.destination,
    'Admin',
  );
  const from = repoRef(source);
  const to = repoRef(dest);
  const at = ctx.clock();
  const now = at.toISOString();
  const events: PendingEvent[] = [];
  try {
    await inTransaction(ctx, async (trx) => {
      // The package itself already there means a concurrent move won: the update below says so.
      const existing = await findLiveVersion(trx, dest.repo.id, pkg);
      if (existing && existing.id !== pkg.id) throw duplicateError(pkg, to.path, existing, false);
      const slug = await freeSlug(trx, dest.repo.id, pkg.name, pkg.version);
      const moved = await updateLivePackage(
        trx,
        { id: pkg.id, repoId: source.repo.id },
        { repo_id: dest.repo.id, slug, ...completedSync(now), status: pkg.status },
      );
      if (!moved) {
        throw new ServiceError(
          'conflict',
          `The ${describePackage(pkg)} is no longer in ${from.path}: it was moved or deleted by another request meanwhile.`,
        );
      }
      const versionTags = ((await loadTags(trx, [pkg.id])).get(pkg.id) ?? [])
        .filter((t) => t.kind === 'version')
        .map((t) => t.tag);
      events.push(
        ...(await claimVersionTags(trx, actor, at, { ...pkg, repo_id: dest.repo.id }, to, versionTags)),
      );
      await recordPackageAudit(trx, actor, at, pkg, to, 'package.moved', 'update', {
        summary: `moved from ${from.path} to ${to.path}`,
        from: from.path,
        to: to.path,
        previous_slug: pkg.slug,
        slug,
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateError(pkg, to.path, undefined, false);
    throw err;
  }
  await emitEvents(ctx, [
    ...events,
    { event: 'package.synced', packageId: pkg.id, extra: { moved_from: from.path } },
  ]);
  return packageView(ctx, pkg.id);
}
