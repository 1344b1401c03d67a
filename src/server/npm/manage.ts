/**
 * The npm client's writes after publish: dist-tags (`npm dist-tag add/rm`), deprecation (a PUT of
 * the packument with `deprecated` fields) and unpublish (a PUT to `…/-rev/{rev}` without the
 * version, or a DELETE of the whole package), within the configured window.
 */

import semver from 'semver';
import { assertPrivilege, type Actor } from '../domain/access.js';
import type { ServiceContext } from '../domain/context.js';
import { invalidField, notFound, ServiceError } from '../domain/errors.js';
import { deletePackage } from '../domain/packages.js';
import { repoRef } from '../domain/package-query.js';
import { claimVersionTags } from '../domain/package-tags.js';
import {
  emitEvents,
  recordPackageAudit,
  REMOVE_PRIVILEGE,
  type PendingEvent,
} from '../domain/package-writes.js';
import { deleteTags } from '../store/package-tags.js';
import { getPackage } from '../store/packages.js';
import { setNpmDeprecation, type NpmVersionRecord } from '../store/npm.js';
import { inTransaction } from '../store/source.js';
import { distTagsOf, loadVersions, resolveNpmRepo, type NpmRepo } from './registry.js';
import { asObject, badPublish } from './publish.js';

const DIST_TAG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function noSuchPackage(repo: NpmRepo, name: string): ServiceError {
  return notFound(`Package '${name}' in ${repo.owner}/${repo.slug}`);
}

async function versionsOrThrow(
  ctx: ServiceContext,
  repo: NpmRepo,
  name: string,
): Promise<NpmVersionRecord[]> {
  const rows = await loadVersions(ctx, repo, name);
  if (rows.length === 0) throw noSuchPackage(repo, name);
  return rows;
}

/** `GET /-/package/{name}/dist-tags` (Read): the package's dist-tags. */
export async function listDistTags(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  name: string,
): Promise<Record<string, string>> {
  const repo = await resolveNpmRepo(ctx, actor, owner, slug, 'Read');
  return distTagsOf(await versionsOrThrow(ctx, repo, name));
}

function checkTag(tag: string): void {
  if (!DIST_TAG.test(tag))
    throw invalidField('tag', `'${tag.slice(0, 80)}' must be letters, digits, '.', '_' or '-'.`);
  if (semver.validRange(tag)) {
    throw invalidField(
      'tag',
      `'${tag}' looks like a version or range; a dist-tag must not (npm would confuse them).`,
    );
  }
}

/** `PUT /-/package/{name}/dist-tags/{tag}` with a JSON string version (Write): points the tag at it. */
export async function setDistTag(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  name: string,
  tag: string,
  version: unknown,
): Promise<Record<string, string>> {
  const repo = await resolveNpmRepo(ctx, actor, owner, slug, 'Write');
  checkTag(tag);
  if (typeof version !== 'string') throw badPublish('The body must be the version as a JSON string.');
  const rows = await versionsOrThrow(ctx, repo, name);
  const target = rows.find((r) => r.version === semver.valid(version));
  if (!target) throw notFound(`Version '${version.slice(0, 80)}' of '${name}' in ${owner}/${slug}`);
  const at = ctx.clock();
  const events: PendingEvent[] = [];
  await inTransaction(ctx, async (trx) => {
    const pkg = await getPackage(trx, target.id);
    events.push(...(await claimVersionTags(trx, actor, at, pkg, repoRef(repo.access), [tag])));
    await recordPackageAudit(trx, actor, at, pkg, repoRef(repo.access), 'package.tags_updated', 'update', {
      summary: `dist-tag ${tag} set`,
      dist_tag: tag,
    });
    events.push({ event: 'package.tags_updated', packageId: pkg.id });
  });
  await emitEvents(ctx, events);
  return listDistTags(ctx, actor, owner, slug, name);
}

/** `DELETE /-/package/{name}/dist-tags/{tag}` (Write): removes the tag; `latest` stays. */
export async function removeDistTag(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  name: string,
  tag: string,
): Promise<Record<string, string>> {
  const repo = await resolveNpmRepo(ctx, actor, owner, slug, 'Write');
  if (tag === 'latest')
    throw invalidField('tag', "The 'latest' dist-tag cannot be removed; point it at another version.");
  const rows = await versionsOrThrow(ctx, repo, name);
  const holder = rows.find((r) => r.distTags.includes(tag));
  if (!holder) throw notFound(`Dist-tag '${tag.slice(0, 80)}' of '${name}' in ${owner}/${slug}`);
  const at = ctx.clock();
  await inTransaction(ctx, async (trx) => {
    const pkg = await getPackage(trx, holder.id);
    await deleteTags(trx, pkg.id, [tag]);
    await recordPackageAudit(trx, actor, at, pkg, repoRef(repo.access), 'package.tags_updated', 'update', {
      summary: `dist-tag ${tag} removed`,
      dist_tag: tag,
    });
  });
  await emitEvents(ctx, [{ event: 'package.tags_updated', packageId: holder.id }]);
  return listDistTags(ctx, actor, owner, slug, name);
}

function describeAge(seconds: number): string {
  return seconds >= 86400 ? `${Math.floor(seconds / 86400)} days` : `${Math.floor(seconds / 3600)} hours`;
}

/** Refuses (403, nothing changed) when any of `rows` was published longer ago than the window. */
function assertUnpublishable(ctx: ServiceContext, name: string, rows: NpmVersionRecord[]): void {
  const window = ctx.config.npm.unpublishWindowSeconds;
  const now = ctx.clock().getTime();
  for (const r of rows) {
    const age = (now - Date.parse(r.uploadedAt)) / 1000;
    if (window === 0 || age > window) {
      throw new ServiceError(
        'permission_denied',
        `${name}@${r.version} was published ${describeAge(age)} ago; this registry allows unpublishing only within ` +
          `${describeAge(window)} of publishing. Deprecate it instead (npm deprecate).`,
      );
    }
  }
}

async function unpublishRows(
  ctx: ServiceContext,
  actor: Actor,
  repo: NpmRepo,
  name: string,
  rows: NpmVersionRecord[],
): Promise<void> {
  assertPrivilege(actor, repo.access.privilege, REMOVE_PRIVILEGE);
  assertUnpublishable(ctx, name, rows);
  for (const r of rows) await deletePackage(ctx, actor, repo.owner, repo.slug, r.id);
}

/**
 * A PUT of the packument without attachments (Write): `deprecated` fields of its versions set or
 * clear (an empty string) each version's deprecation. Through `…/-rev/{rev}` (`unpublish`),
 * versions left out of the body are unpublished, as `npm unpublish name@version` asks.
 */
export async function updatePackument(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  name: string,
  doc: Record<string, unknown>,
  options: { unpublish: boolean },
): Promise<{ ok: true; id: string }> {
  const repo = await resolveNpmRepo(ctx, actor, owner, slug, 'Write');
  if (doc.name !== undefined && doc.name !== name) {
    throw badPublish(
      `The package name in the body ('${String(doc.name)}') differs from the name in the URL ('${name}').`,
    );
  }
  const versions = asObject(doc.versions, 'versions');
  const rows = await versionsOrThrow(ctx, repo, name);
  const at = ctx.clock();
  if (options.unpublish) {
    const gone = rows.filter((r) => !(r.version in versions));
    if (gone.length === rows.length)
      throw badPublish('An unpublish must leave a version; DELETE the package to remove it whole.');
    if (gone.length > 0) await unpublishRows(ctx, actor, repo, name, gone);
  }
  const changes = rows.flatMap((r) => {
    const v = versions[r.version];
    if (!v || typeof v !== 'object') return [];
    const given = (v as Record<string, unknown>).deprecated;
    const wanted = typeof given === 'string' && given !== '' ? given.slice(0, 1024) : null;
    return wanted === r.deprecated ? [] : [{ row: r, message: wanted }];
  });
  if (changes.length === 0) return { ok: true, id: name };
  await inTransaction(ctx, async (trx) => {
    for (const { row, message } of changes) {
      await setNpmDeprecation(trx, row.id, message, at.toISOString());
      const pkg = await getPackage(trx, row.id);
      await recordPackageAudit(trx, actor, at, pkg, repoRef(repo.access), 'package.deprecated', 'update', {
        summary: message === null ? 'deprecation removed' : `deprecated: ${message}`,
        message,
      });
    }
  });
  return { ok: true, id: name };
}

/** `DELETE /{name}/-rev/{rev}` (Admin): unpublishes every version, or none when one is too old. */
export async function unpublishPackage(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  name: string,
): Promise<{ ok: true; id: string }> {
  const repo = await resolveNpmRepo(ctx, actor, owner, slug, 'Write');
  await unpublishRows(ctx, actor, repo, name, await versionsOrThrow(ctx, repo, name));
  return { ok: true, id: name };
}

/**
 * `DELETE /{name}/-/{filename}/-rev/{rev}` (Admin): npm's last step of unpublishing one version.
 * The version usually went with the PUT before; a live one is unpublished here.
 */
export async function unpublishTarball(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  name: string,
  filename: string,
): Promise<{ ok: true }> {
  const repo = await resolveNpmRepo(ctx, actor, owner, slug, 'Write');
  const rows = (await loadVersions(ctx, repo, name)).filter((r) => r.filename === filename);
  if (rows.length > 0) await unpublishRows(ctx, actor, repo, name, rows);
  return { ok: true };
}
