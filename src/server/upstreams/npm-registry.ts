/**
 * Where the npm registry meets the upstreams and the firewall: the registry's packument and
 * tarball reads go through here, so a repository with upstreams serves what they hold beside its
 * own versions, and blocked versions are hidden or refused in both.
 */

import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import { repoRef } from '../domain/package-query.js';
import {
  buildPackument,
  loadVersions,
  packumentRevision,
  openTarball,
  registryUrl,
  type NpmRepo,
  tarballPath,
  type Packument,
} from '../npm/registry.js';
import { activeUpstreams } from './fetch.js';
import { assertNotBlocked } from './firewall-guard.js';
import { fetchUpstreamTarball, servePackument, type NpmDocument, type NpmTarget } from './npm.js';

/** A packument as the registry serves it, and whether it holds an expired upstream copy. */
export interface RegistryPackument {
  packument: Packument;
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
  open(): Promise<Readable> | Readable;
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
 */
export async function registryPackument(
  ctx: ServiceContext,
  repo: NpmRepo,
  name: string,
  abbreviated: boolean,
): Promise<RegistryPackument | null> {
  const upstreams = await activeUpstreams(ctx, repo.access.repo.id, 'npm');
  const rows = await loadVersions(ctx, repo, name);
  // Without upstreams the repository's own form is served (abbreviated as it builds it).
  const local = buildPackument(ctx, repo, rows, { abbreviated: upstreams.length === 0 && abbreviated });
  if (upstreams.length === 0 && !local) return null;
  const served = await servePackument(ctx, target(ctx, repo), name, local as NpmDocument | null, {
    abbreviated: upstreams.length > 0 && abbreviated,
    upstreams,
  });
  if (!served) return null;
  const identity = [
    abbreviated ? 'install-v1' : 'full',
    rows.length ? packumentRevision(rows) : '-',
    served.upstreamRevision ?? '-',
    [...served.hidden].sort().join(','),
  ].join('\n');
  const etag = `"${crypto.createHash('sha256').update(identity).digest('base64url').slice(0, 32)}"`;
  return { packument: served.packument as Packument, stale: served.stale, etag };
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
    await assertNotBlocked(ctx, ref, 'npm', own.name, own.version);
    const tarball = await openTarball(ctx, repo, name, filename);
    return { size: tarball.file.size, sha256: tarball.file.sha256, open: () => tarball.open() };
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
