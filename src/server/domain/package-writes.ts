import type { Db } from '../store/db.js';
import {
  findLiveVersion as findLiveVersionRow,
  isPackageSlugTaken,
  softDeletePackage,
  type PackageRecord,
} from '../store/packages.js';
import { immutableTagsOf } from '../store/package-tags.js';
import type { DbSource } from '../store/source.js';
import { PRIVILEGES, type Actor, type Privilege } from './access.js';
import { recordAudit } from './audit.js';
import { emitPackageEvent, type CommittedWork, type PackageEvent, type ServiceContext } from './context.js';
import { ServiceError } from './errors.js';
import { newId, slugify } from './ids.js';
import { PACKAGE_STATUS } from './package-status.js';

/** A package row. */
export type PackageRow = PackageRecord;

/** A package event to announce once its transaction has committed. */
export interface PendingEvent {
  event: PackageEvent;
  packageId: string;
  extra?: Record<string, unknown>;
  /** What the committing transaction already did for this event's listeners. */
  done?: CommittedWork;
}

/** Announces committed package events in order (listeners never throw back). */
export async function emitEvents(ctx: ServiceContext, events: PendingEvent[]): Promise<void> {
  for (const e of events) await emitPackageEvent(ctx, e.event, e.packageId, e.extra, e.done);
}

/** `owner/repo`, as messages and audit targets name a repository. */
export interface RepoRef {
  id: string;
  orgId: string;
  path: string;
}

/** How a package is named in messages: `npm package 'left-pad' 1.0.0 (slug_perm)`. */
export function describePackage(pkg: Pick<PackageRow, 'format' | 'name' | 'version' | 'id'>): string {
  return `${pkg.format} package '${pkg.name}'${pkg.version ? ` ${pkg.version}` : ''} (${pkg.id})`;
}

/**
 * Records an audit event about a package in the caller's transaction; `object_slug_perm` is the
 * package id, which is what the package's own trail (`…/audit-log/`) selects on.
 */
export async function recordPackageAudit(
  trx: Db,
  actor: Actor,
  at: Date,
  pkg: Pick<PackageRow, 'id' | 'org_id' | 'name' | 'version'>,
  repo: RepoRef,
  event: string,
  eventKind: 'action' | 'create' | 'update' | 'delete',
  context: Record<string, unknown>,
): Promise<void> {
  await recordAudit(trx, actor, at, {
    orgId: pkg.org_id,
    repoId: repo.id,
    event,
    eventKind,
    object: pkg.version ? `${pkg.name} ${pkg.version}` : pkg.name,
    objectKind: 'package',
    objectSlugPerm: pkg.id,
    target: repo.path,
    targetKind: 'repository',
    targetSlugPerm: repo.id,
    context,
  });
}

// Static path segments under /packages/{owner}/{repo}/ that a slug must never shadow.
const RESERVED_SLUGS = new Set(['upload', 'validate-upload']);

/**
 * A slug for a package in a repository: `name-version` made URL-safe, with a short random
 * suffix when a live package there already uses it (slugs identify packages in URLs).
 */
export async function freeSlug(db: DbSource, repoId: string, name: string, version: string): Promise<string> {
  const base = slugify(version ? `${name}-${version}` : name, 100);
  for (let attempt = 0; ; attempt++) {
    const slug = attempt === 0 ? base : `${base}-${newId(4).toLowerCase()}`;
    if (RESERVED_SLUGS.has(slug)) continue;
    if (!(await isPackageSlugTaken(db, repoId, slug))) return slug;
  }
}

/** The live package with the same format, name and version in a repository, if any. */
export async function findLiveVersion(
  db: DbSource,
  repoId: string,
  pkg: Pick<PackageRow, 'format' | 'name_key' | 'version' | 'filename'>,
): Promise<PackageRow | undefined> {
  return findLiveVersionRow(db, repoId, pkg);
}

/** The 409 for a package version that already exists where it is being put. */
export function duplicateError(
  pkg: Pick<PackageRow, 'format' | 'name' | 'version'>,
  repoPath: string,
  existing?: Pick<PackageRow, 'id' | 'slug'>,
  canRepublish = true,
): ServiceError {
  const what = `${pkg.format} package '${pkg.name}'${pkg.version ? ` version ${pkg.version}` : ' (no version)'}`;
  const which = existing ? ` (${existing.slug}, ${existing.id})` : '';
  const hint = canRepublish
    ? 'Set republish to true to replace it, or publish a new version.'
    : 'Delete it there first, or copy with republish to replace it.';
  return new ServiceError('duplicate_package', `A ${what} already exists in ${repoPath}${which}. ${hint}`);
}

/** Soft-deletes a live package (its row, tags and trail stay); false when it was not live any more. */
export async function softDelete(trx: Db, packageId: string, at: string): Promise<boolean> {
  return softDeletePackage(trx, packageId, at, PACKAGE_STATUS.deleted);
}

/**
 * The privilege that removing a package from a repository needs: `DELETE …/{identifier}/` and a
 * `republish` that replaces the package both check it, so replacing is never a way around delete.
 */
export const REMOVE_PRIVILEGE: Privilege = 'Admin';

/**
 * Replaces `existing` (a live package of the same version in `repo`) by `replacementId`, for a
 * create or copy with `republish`: refused with 403 unless the caller holds
 * {@link REMOVE_PRIVILEGE} there, and with 409 `package_locked` while the package is quarantined
 * or carries an immutable tag (an Admin must release it or remove the tag first, so a quarantine
 * or an immutable release tag cannot be walked around). The delete is conditional on the package
 * still being live, unquarantined and free of immutable tags, so a quarantine or a tag that lands
 * meanwhile wins. Records on the old package which package replaced it and returns its event.
 */
export async function replacePackage(
  trx: Db,
  actor: Actor,
  at: Date,
  caller: Privilege,
  existing: PackageRow,
  repo: RepoRef,
  replacementId: string,
  how: string,
): Promise<PendingEvent> {
  const what = `the ${describePackage(existing)} in ${repo.path}`;
  if (PRIVILEGES.indexOf(caller) < PRIVILEGES.indexOf(REMOVE_PRIVILEGE)) {
    throw new ServiceError(
      'permission_denied',
      `Republishing replaces ${what}, which needs ${REMOVE_PRIVILEGE} on ${repo.path} as deleting it does; ` +
        `this caller holds ${caller}. Publish a new version instead.`,
    );
  }
  if (existing.is_quarantined === 1) {
    throw new ServiceError(
      'package_locked',
      `Cannot republish over ${what}: it is quarantined. An Admin must release it first, or publish a new version.`,
    );
  }
  const locked = await immutableTagsOf(trx, existing.id);
  if (locked.length > 0) {
    throw new ServiceError(
      'package_locked',
      `Cannot republish over ${what}: it carries the immutable tag${locked.length > 1 ? 's' : ''} ` +
        `${locked.map((t) => `'${t}'`).join(', ')}. An Admin must remove ${locked.length > 1 ? 'them' : 'it'} first, or publish a new version.`,
    );
  }
  const now = at.toISOString();
  const deleted = await softDeletePackage(trx, existing.id, now, PACKAGE_STATUS.deleted, true);
  if (!deleted) {
    throw new ServiceError(
      'conflict',
      `Cannot republish over ${what}: it was deleted, quarantined or immutably tagged by another request meanwhile.`,
    );
  }
  await recordPackageAudit(trx, actor, at, existing, repo, 'package.deleted', 'delete', {
    summary: `replaced by ${replacementId}, ${how} (republish)`,
    replaced_by: replacementId,
  });
  return { event: 'package.deleted', packageId: existing.id, extra: { replaced_by: replacementId } };
}

/**
 * Records on a package created by `republish` which package it replaced, so that its own trail
 * (not only the old package's) says that it is a replacement and of what.
 */
export async function recordReplacement(
  trx: Db,
  actor: Actor,
  at: Date,
  pkg: Pick<PackageRow, 'id' | 'org_id' | 'name' | 'version'>,
  repo: RepoRef,
  replaced: Pick<PackageRow, 'id' | 'slug'>,
): Promise<void> {
  await recordPackageAudit(trx, actor, at, pkg, repo, 'package.republished', 'update', {
    summary: `replaces ${repo.path}/${replaced.slug} (${replaced.id}) (republish)`,
    replaced: { repository: repo.path, slug: replaced.slug, slug_perm: replaced.id },
  });
}
