import type { Kysely, Selectable } from 'kysely';
import type { Database, PackagesTable } from '../store/schema.js';
import type { Actor } from './access.js';
import { recordAudit } from './audit.js';
import { emitPackageEvent, type PackageEvent, type ServiceContext } from './context.js';
import { ServiceError } from './errors.js';
import { newId, slugify } from './ids.js';
import { PACKAGE_STATUS } from './package-status.js';

/** A package row. */
export type PackageRow = Selectable<PackagesTable>;

/** A package event to announce once its transaction has committed. */
export interface PendingEvent {
  event: PackageEvent;
  packageId: string;
  extra?: Record<string, unknown>;
}

/** Announces committed package events in order (listeners never throw back). */
export async function emitEvents(ctx: ServiceContext, events: PendingEvent[]): Promise<void> {
  for (const e of events) await emitPackageEvent(ctx, e.event, e.packageId, e.extra);
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
  trx: Kysely<Database>,
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
export async function freeSlug(
  db: Kysely<Database>,
  repoId: string,
  name: string,
  version: string,
): Promise<string> {
  const base = slugify(version ? `${name}-${version}` : name, 100);
  for (let attempt = 0; ; attempt++) {
    const slug = attempt === 0 ? base : `${base}-${newId(4).toLowerCase()}`;
    if (RESERVED_SLUGS.has(slug)) continue;
    const taken = await db
      .selectFrom('packages')
      .select('id')
      .where('repo_id', '=', repoId)
      .where('slug', '=', slug)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!taken) return slug;
  }
}

/** The live package with the same format, name and version in a repository, if any. */
export async function findLiveVersion(
  db: Kysely<Database>,
  repoId: string,
  pkg: Pick<PackageRow, 'format' | 'name_key' | 'version'>,
): Promise<PackageRow | undefined> {
  return db
    .selectFrom('packages')
    .selectAll()
    .where('repo_id', '=', repoId)
    .where('format', '=', pkg.format)
    .where('name_key', '=', pkg.name_key)
    .where('version', '=', pkg.version)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
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
export async function softDelete(trx: Kysely<Database>, packageId: string, at: string): Promise<boolean> {
  const result = await trx
    .updateTable('packages')
    .set({ deleted_at: at, status: PACKAGE_STATUS.deleted, status_updated_at: at })
    .where('id', '=', packageId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
