import { TAG_ACTIONS, type PackageTagRequest, type PackageTags, type TagAction } from '../../api/packages.js';
import type { Db } from '../store/db.js';
import { getPackage } from '../store/packages.js';
import { lockRepo } from '../store/repos.js';
import {
  addTag,
  deleteTags,
  loadTags as loadTagRows,
  versionTagHolders,
  type TagRecord,
} from '../store/package-tags.js';
import { inTransaction, type DbSource } from '../store/source.js';
import type { Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { invalidField, ServiceError } from './errors.js';
import { findLivePackage, repoRef } from './package-query.js';
import { packageView } from './package-view.js';
import {
  emitEvents,
  recordPackageAudit,
  type PackageRow,
  type PendingEvent,
  type RepoRef,
} from './package-writes.js';
import { resolveRepo } from './repos.js';
import type { Package } from '../../api/packages.js';

/** A tag of a package. */
export type TagRow = TagRecord;

const TAG = /^[^\s,\p{Cc}]{1,128}$/u;
const MAX_TAGS = 100;

/** Splits tags given as a CSV string or a list, trims and de-duplicates them; 422 naming `field`. */
export function parseTagList(input: string | string[] | undefined, field = 'tags'): string[] {
  if (input === undefined) return [];
  const raw = Array.isArray(input) ? input.flatMap((t) => t.split(',')) : input.split(',');
  const tags = [...new Set(raw.map((t) => t.trim()).filter(Boolean))];
  for (const tag of tags) {
    if (!TAG.test(tag)) {
      throw invalidField(
        field,
        `'${tag.slice(0, 140)}' is not a tag: at most 128 characters, no spaces or commas.`,
      );
    }
  }
  if (tags.length > MAX_TAGS) throw invalidField(field, `At most ${MAX_TAGS} tags, got ${tags.length}.`);
  return tags;
}

/** The tags of several packages, by package id. */
export async function loadTags(db: DbSource, ids: string[]): Promise<Map<string, TagRow[]>> {
  return loadTagRows(db, ids);
}

/** Tags grouped by kind (`tags`) and the immutable ones likewise (`tags_immutable`); always both kinds. */
export function groupTags(rows: TagRow[]): { tags: PackageTags; tags_immutable: PackageTags } {
  const tags: PackageTags = { info: [], version: [] };
  const immutable: PackageTags = { info: [], version: [] };
  for (const r of [...rows].sort((a, b) => a.tag.localeCompare(b.tag))) {
    (tags[r.kind] ??= []).push(r.tag);
    if (r.immutable === 1) (immutable[r.kind] ??= []).push(r.tag);
  }
  return { tags, tags_immutable: immutable };
}

/** Adds tags to a package, leaving ones it has; `immutable` marks new and existing ones so. */
export async function addTags(
  trx: Db,
  packageId: string,
  tags: string[],
  kind: TagRow['kind'],
  immutable: boolean,
): Promise<void> {
  for (const tag of tags) await addTag(trx, packageId, tag, kind, immutable);
}

/**
 * Points version tags (npm dist-tags such as `latest`) at `pkg`: each leaves whichever other
 * live version of the same package in the repository had it. Records the change on each of
 * those packages and returns their `package.tags_updated` events.
 */
export async function claimVersionTags(
  trx: Db,
  actor: Actor,
  at: Date,
  pkg: Pick<PackageRow, 'id' | 'repo_id' | 'format' | 'name_key'>,
  repo: RepoRef,
  tags: string[],
): Promise<PendingEvent[]> {
  if (tags.length === 0) return [];
  // A no-op update locks the repository row until commit, so concurrent claims in one repository
  // take turns: under PostgreSQL's read committed, two uploads would otherwise both keep `latest`.
  // (SQLite runs write transactions one at a time anyway.)
  await lockRepo(trx, pkg.repo_id);
  const holders = await versionTagHolders(trx, pkg, tags);
  const events: PendingEvent[] = [];
  for (const id of new Set(holders.map((h) => h.id))) {
    const before = groupTags((await loadTags(trx, [id])).get(id) ?? []).tags;
    const moved = holders.filter((h) => h.id === id).map((h) => h.tag);
    await deleteTags(trx, id, moved);
    const after = groupTags((await loadTags(trx, [id])).get(id) ?? []).tags;
    const row = await getPackage(trx, id);
    await recordPackageAudit(trx, actor, at, row, repo, 'package.tags_updated', 'update', {
      summary: `version tags ${moved.join(', ')} moved to ${pkg.id}`,
      old_tags: before,
      new_tags: after,
    });
    events.push({
      event: 'package.tags_updated',
      packageId: id,
      extra: { old_tags: before, new_tags: after },
    });
  }
  await addTags(trx, pkg.id, tags, 'version', false);
  return events;
}

function parseAction(action: string | undefined): TagAction {
  if (action === undefined) return 'Add';
  const found = TAG_ACTIONS.find((a) => a.toLowerCase() === action.trim().toLowerCase());
  if (!found) throw invalidField('action', `'${action}' is not a tag action: use ${TAG_ACTIONS.join(', ')}.`);
  return found;
}

/**
 * `POST …/{identifier}/tag/` (Write): Add (default) adds `info` tags, Remove takes the named tags
 * off, Clear removes every `info` tag and Replace makes `tags` the whole `info` set. Removing an
 * immutable tag needs Admin.
 */
export async function tagPackage(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  identifier: string,
  body: PackageTagRequest,
): Promise<Package> {
  const access = await resolveRepo(ctx, actor, owner, repoSlug, 'Write');
  const action = parseAction(body.action);
  const tags = parseTagList(body.tags);
  if ((action === 'Add' || action === 'Remove') && tags.length === 0) {
    throw invalidField('tags', `${action} needs at least one tag.`);
  }
  const pkg = await findLivePackage(ctx, access.repo.id, identifier, `${owner}/${repoSlug}`);
  const repo = repoRef(access);
  const at = ctx.clock();
  const events: PendingEvent[] = [];
  await inTransaction(ctx, async (trx) => {
    const rows = (await loadTags(trx, [pkg.id])).get(pkg.id) ?? [];
    const removing = rows.filter((r) => {
      if (action === 'Remove') return tags.includes(r.tag);
      if (action === 'Clear') return r.kind === 'info';
      if (action === 'Replace') return r.kind === 'info' && !tags.includes(r.tag);
      return false;
    });
    const locked = removing.filter((r) => r.immutable === 1);
    if (locked.length > 0 && access.privilege !== 'Admin') {
      throw new ServiceError(
        'permission_denied',
        `Tag${locked.length > 1 ? 's' : ''} ${locked.map((r) => `'${r.tag}'`).join(', ')} ` +
          `${locked.length > 1 ? 'are' : 'is'} immutable: only a repository Admin can remove ${locked.length > 1 ? 'them' : 'it'}.`,
      );
    }
    if (removing.length > 0) {
      const names = removing.map((r) => r.tag);
      await deleteTags(trx, pkg.id, names);
    }
    if (action === 'Add' || action === 'Replace') {
      const existing = new Map(rows.map((r) => [r.tag, r]));
      // A tag the package already has as a version tag stays one; Add only adds info tags.
      const adding = tags.filter((t) => {
        const r = existing.get(t);
        return !r || (body.is_immutable === true && r.immutable === 0);
      });
      await addTags(trx, pkg.id, adding, 'info', body.is_immutable === true);
    }
    const before = groupTags(rows);
    const after = groupTags((await loadTags(trx, [pkg.id])).get(pkg.id) ?? []);
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    await recordPackageAudit(trx, actor, at, pkg, repo, 'package.tags_updated', 'update', {
      summary: `tags: ${action.toLowerCase()} ${tags.join(', ')}`.trim(),
      action,
      tags,
      is_immutable: body.is_immutable === true,
      old_tags: before.tags,
      new_tags: after.tags,
    });
    events.push({
      event: 'package.tags_updated',
      packageId: pkg.id,
      extra: { old_tags: before.tags, new_tags: after.tags },
    });
  });
  await emitEvents(ctx, events);
  return packageView(ctx, pkg.id);
}
