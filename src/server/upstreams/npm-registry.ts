/**
 * Where the npm registry meets the upstreams and the firewall: the registry's packument and
 * tarball reads go through here, so a repository with upstreams serves what they hold beside its
 * own versions, and blocked versions are hidden or refused in both.
 */

import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { ServiceContext } from '../domain/context.js';
import { cachedDocument, entityTag, LruCache, type DocumentBody } from '../domain/document-cache.js';
import { ServiceError } from '../domain/errors.js';
import { repoRef } from '../domain/package-query.js';
import {
  buildPackument,
  loadRevisions,
  loadVersions,
  packumentRevision,
  openTarball,
  registryUrl,
  type NpmRepo,
  tarballPath,
} from '../npm/registry.js';
import { activeUpstreams } from './fetch.js';
import { assertNotBlocked } from './firewall-guard.js';
import {
  assemblePackument,
  fetchUpstreamTarball,
  judgePackument,
  listedVersions,
  upstreamPackument,
  upstreamRevision,
  type NpmDocument,
  type NpmTarget,
} from './npm.js';

/** A packument as the registry serves it, and whether it holds an expired upstream copy. */
export interface RegistryPackument {
  /** The packument's JSON text (and its gzip), made (or taken from the cache) when first asked for. */
  body(): Promise<DocumentBody>;
  stale: boolean;
  /**
   * The packument's entity tag: a digest of what it is built from (the repository's version rows
   * with their dist-tags and deprecations, the upstream document merged in, the versions the
   * firewall hides, the form), so any publish, dist-tag, deprecate or unpublish changes it.
   */
  etag: string;
}

/** A tarball as the registry serves it: from the repository's blobs or just fetched from an upstream. */
export interface RegistryTarball {
  size: number;
  sha256: string;
  /** Its bytes: in memory when small (see {@link smallTarball}), else a stream. */
  open(): Promise<Readable | Buffer> | Readable;
}

// Tarballs up to this size are served from memory once read; an install fetches dozens of them,
// most a few KiB, where opening, reading and closing the blob file cost more than sending it.
const SMALL_TARBALL_BYTES = 1024 * 1024;
// Room for them in each service. Keyed by sha256, so an entry never goes stale.
const TARBALL_CACHE_BYTES = 32 * 1024 * 1024;
const tarballCaches = new WeakMap<ServiceContext, LruCache<Buffer>>();

/**
 * The bytes of a small blob, from memory or read once from the blob store. Kept only when they
 * hash to `sha256`; the download guards still run on every request, before this is asked.
 */
async function smallTarball(
  ctx: ServiceContext,
  sha256: string,
  read: () => Promise<Readable>,
): Promise<Buffer> {
  let cache = tarballCaches.get(ctx);
  if (!cache) {
    cache = new LruCache<Buffer>(TARBALL_CACHE_BYTES, (bytes) => bytes.length);
    tarballCaches.set(ctx, cache);
  }
  const hit = cache.get(sha256);
  if (hit) return hit;
  const bytes = await buffer(await read());
  if (crypto.createHash('sha256').update(bytes).digest('hex') !== sha256) {
    throw new Error(`Blob ${sha256} does not hash to its name`);
  }
  cache.set(sha256, bytes);
  return bytes;
}

function target(ctx: ServiceContext, repo: NpmRepo): NpmTarget {
  const base = registryUrl(ctx, repo.owner, repo.slug);
  return {
    repo: repoRef(repo.access),
    tarballUrl: (name, file) => `${base}${tarballPath(name, file)}`,
  };
}

/**
 * The packument of `name`: the repository's own versions over those of its npm upstreams (when
 * it has any), through the firewall. Null when nothing has the package.
 *
 * Its entity tag is computed from what the packument is made of, read from the database on
 * every request (the version rows, the upstream document's digest, the versions the firewall
 * hides), before anything is built; the JSON text is then kept in memory under that tag (and the
 * URL and name it is served at), so a packument is built and serialised once per change whichever
 * replica made the change. Answers that audit (a blocking upstream document just fetched) are
 * built afresh.
 */
export async function registryPackument(
  ctx: ServiceContext,
  repo: NpmRepo,
  name: string,
  abbreviated: boolean,
): Promise<RegistryPackument | null> {
  const { facts } = repo.access;
  const upstreams =
    facts?.hasUpstreams === false ? [] : await activeUpstreams(ctx, repo.access.repo.id, 'npm');
  // Only what the entity tag is made of is read here; the manifests only when the cache misses.
  const revisions = await loadRevisions(ctx, repo, name);
  const to = target(ctx, repo);
  const remote =
    upstreams.length > 0 ? await upstreamPackument(ctx, to, name, revisions.length > 0, upstreams) : null;
  if (!remote && revisions.length === 0) return null;
  const versions = listedVersions(
    remote,
    revisions.map((r) => r.version),
  );
  const judgement = await judgePackument(ctx, to, name, versions, facts?.hasBlockingPolicies !== false);
  const revision = revisions.length ? packumentRevision(revisions) : '-';
  const etag = entityTag([
    abbreviated ? 'install-v1' : 'full',
    revision,
    upstreamRevision(remote) ?? '-',
    [...judgement.hidden].sort().join(','),
  ]);
  const make = async () => {
    const rows = revisions.length ? await loadVersions(ctx, repo, name) : [];
    // Without upstreams the repository's own form is served (abbreviated as it builds it).
    const local = buildPackument(ctx, repo, rows, { abbreviated: !remote && abbreviated });
    const doc = await assemblePackument(
      ctx,
      to,
      name,
      local as NpmDocument | null,
      remote,
      judgement,
      Boolean(remote) && abbreviated,
    );
    // A change between the two reads: the text is of the newer rows, so it is not kept under
    // the older tag (the next request reads the new tag and builds again). An upstream document
    // fetched just now is audited when it blocks versions, so its answer is made each time.
    const unchanged = (rows.length ? packumentRevision(rows) : '-') === revision;
    return { text: JSON.stringify(doc), keep: unchanged && !remote?.fetched.fetchedNow };
  };
  const cacheKey = `npm\0${etag}\0${repo.owner}\0${repo.slug}\0${name}`;
  const body = () => cachedDocument(ctx, cacheKey, make, Boolean(remote?.fetched.fetchedNow));
  return { body, stale: remote?.fetched.stale ?? false, etag };
}

/**
 * The tarball `filename` of `name`: the repository's own (after its download guards), else one
 * fetched from an upstream (verified, and kept in Cache and Proxy mode). A version the firewall
 * blocks is refused either way (403 naming the advisories).
 */
export async function registryTarball(
  ctx: ServiceContext,
  repo: NpmRepo,
  name: string,
  filename: string,
): Promise<RegistryTarball> {
  const ref = repoRef(repo.access);
  const own = (await loadVersions(ctx, repo, name)).find((r) => r.filename === filename);
  if (own) {
    // Without a vulnerability or deny policy (read with the repository) nothing can be blocked.
    if (repo.access.facts?.hasBlockingPolicies !== false) {
      await assertNotBlocked(ctx, ref, 'npm', own.name, own.version);
    }
    const tarball = await openTarball(ctx, repo, name, filename, own);
    const { size, sha256 } = tarball.file;
    if (size > SMALL_TARBALL_BYTES) return { size, sha256, open: () => tarball.open() };
    return { size, sha256, open: () => smallTarball(ctx, sha256, () => tarball.open()) };
  }
  const fetched = await fetchUpstreamTarball(ctx, ref, name, filename);
  if (!fetched) {
    throw new ServiceError(
      'not_found',
      `Tarball '${filename}' of '${name}' is not in ${repo.owner}/${repo.slug} or its upstreams.`,
    );
  }
  return { size: fetched.size, sha256: fetched.sha256, open: () => fetched.open() };
}
