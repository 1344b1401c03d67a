/**
 * `npm publish` against the native registry: the PUT of a packument with one tarball in
 * `_attachments`. The tarball is checked against what the body declares (integrity, shasum,
 * length, name, version) before anything is stored, and then becomes a package in one step
 * (publishFile: the rows an upload through the API and its package create write, in one group
 * commit), so scans, policies, webhooks and the audit log apply unchanged.
 */

import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import semver from 'semver';
import type { Actor } from '../domain/access.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import { findLiveVersion } from '../domain/package-writes.js';
import { publishFile, type Published } from '../domain/publish.js';
import { bufferArchiveSource } from '../formats/archive.js';
import { formatHandler, nameKeyFor } from '../formats/index.js';
import { resolveNpmRepo, tarballFilename } from './registry.js';

/** What the registry answers to a successful publish. */
export interface PublishResult {
  ok: true;
  id: string;
  package: Published;
}

/** A 400 about the publish body, in words npm prints after the status line. */
export function badPublish(message: string): ServiceError {
  return new ServiceError('validation_failed', message);
}

/** The body as an object; 400 when it is anything else. */
export function asObject(body: unknown, what: string): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badPublish(`${what} must be a JSON object.`);
  return body as Record<string, unknown>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/**
 * True when `data` is canonical base64 of `decoded` bytes: padded to a multiple of four, three
 * bytes per four characters less the padding. The decoder skips any character outside the
 * alphabet, which always leaves fewer bytes than the length promises; it also takes the URL-safe
 * alphabet, which a publish never uses, so '-' and '_' are looked for.
 */
function canonicalBase64(data: string, decoded: number): boolean {
  if (data.length % 4 !== 0) return false;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return decoded === (data.length / 4) * 3 - padding && !data.includes('-') && !data.includes('_');
}

const SRI_ALGORITHMS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

/** Checks the bytes against an SRI string (every entry of a known algorithm must match). */
function checkIntegrity(bytes: Buffer, integrity: string): void {
  const entries = integrity.trim().split(/\s+/).filter(Boolean);
  let checked = 0;
  for (const entry of entries) {
    const dash = entry.indexOf('-');
    const algorithm = entry.slice(0, dash);
    if (dash < 0 || !SRI_ALGORITHMS.has(algorithm)) continue;
    const declared = entry.slice(dash + 1).replace(/\?.*$/, '');
    const actual = crypto.createHash(algorithm).update(bytes).digest('base64');
    if (declared !== actual) {
      throw new ServiceError(
        'checksum_mismatch',
        `The tarball does not match its declared integrity: ${algorithm} is ${actual}, dist.integrity says ${declared}; nothing was stored.`,
      );
    }
    checked++;
  }
  if (checked === 0)
    throw badPublish(`dist.integrity '${integrity.slice(0, 80)}' names no hash this registry checks.`);
}

function checkShasum(bytes: Buffer, shasum: string): void {
  const actual = crypto.createHash('sha1').update(bytes).digest('hex');
  if (shasum.toLowerCase() !== actual) {
    throw new ServiceError(
      'checksum_mismatch',
      `The tarball does not match its declared shasum: it is ${actual}, dist.shasum says ${shasum}; nothing was stored.`,
    );
  }
}

/** The one version a publish body adds, its manifest and attachment. */
interface Publication {
  version: string;
  manifest: Record<string, unknown>;
  bytes: Buffer;
  distTag: string;
}

function tooLarge(limit: number): ServiceError {
  return new ServiceError(
    'payload_too_large',
    `The tarball is larger than this registry accepts (${limit} bytes); nothing was stored.`,
  );
}

/** Reads and checks the version, its tarball and dist-tag out of a publish body. */
function readPublication(ctx: ServiceContext, urlName: string, doc: Record<string, unknown>): Publication {
  if (doc.name !== urlName) {
    throw badPublish(
      `The package name in the body ('${String(doc.name).slice(0, 214)}') differs from the name in the URL ('${urlName}').`,
    );
  }
  const attachments = asObject(doc._attachments, '_attachments');
  const keys = Object.keys(attachments);
  if (keys.length !== 1)
    throw badPublish(`A publish carries exactly one tarball in _attachments, got ${keys.length}.`);
  const key = keys[0]!;
  const versions = asObject(doc.versions, 'versions');
  const candidates = Object.keys(versions);
  // After a 409, npm retries with the merged packument: the new version is the attachment's.
  const version =
    candidates.length === 1
      ? candidates[0]!
      : candidates.find((v) => key === `${urlName}-${v}.tgz` || key === tarballFilename(urlName, v));
  if (!version) throw badPublish(`No version in 'versions' belongs to the attachment '${key}'.`);
  const manifest = asObject(versions[version], `versions['${version}']`);
  if (manifest.name !== undefined && manifest.name !== urlName) {
    throw badPublish(
      `versions['${version}'].name ('${String(manifest.name)}') differs from the name in the URL ('${urlName}').`,
    );
  }
  if (!semver.valid(version)) throw badPublish(`'${version.slice(0, 80)}' is not a valid SemVer version.`);

  const attachment = asObject(attachments[key], `_attachments['${key}']`);
  const data = attachment.data;
  if (typeof data !== 'string')
    throw badPublish(`_attachments['${key}'].data must be the tarball in base64.`);
  const limit = ctx.config.limits.uploadBytes;
  if (Math.floor((data.length * 3) / 4) > limit + 2) throw tooLarge(limit);
  const bytes = Buffer.from(data, 'base64');
  // What clients send is canonical, which its length shows without a pass over the string;
  // anything else is held to the pattern (the decoder skips what is not base64).
  if (!canonicalBase64(data, bytes.length) && !BASE64.test(data)) {
    throw badPublish(`_attachments['${key}'].data must be the tarball in base64.`);
  }
  if (bytes.length > limit) throw tooLarge(limit);
  if (attachment.length !== undefined && attachment.length !== bytes.length) {
    throw badPublish(
      `_attachments['${key}'].length says ${String(attachment.length)} bytes, but data holds ${bytes.length}.`,
    );
  }
  const dist =
    manifest.dist && typeof manifest.dist === 'object' ? (manifest.dist as Record<string, unknown>) : {};
  const { integrity, shasum } = dist;
  if (typeof integrity !== 'string' && typeof shasum !== 'string') {
    throw badPublish(`versions['${version}'].dist must declare the tarball's integrity or shasum.`);
  }
  if (typeof integrity === 'string') checkIntegrity(bytes, integrity);
  if (typeof shasum === 'string') checkShasum(bytes, shasum);

  const tags = doc['dist-tags'] && typeof doc['dist-tags'] === 'object' ? doc['dist-tags'] : {};
  const distTag = Object.entries(tags).find(([, v]) => v === version)?.[0] ?? 'latest';
  return { version, manifest, bytes, distTag };
}

/**
 * `PUT /npm/{owner}/{repo}/{name}` with `_attachments` (Write): publishes one version. 409 when
 * the version is already there (npm then fetches the packument and retries once, and says it
 * cannot publish over it); 422 when the tarball does not match its integrity; the package's
 * own package.json must name the same package and version. Nothing is stored on any failure.
 */
export async function publishVersion(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  urlName: string,
  doc: Record<string, unknown>,
): Promise<PublishResult> {
  const repo = await resolveNpmRepo(ctx, actor, owner, slug, 'Write');
  const publication = readPublication(ctx, urlName, doc);
  const { version, bytes, distTag } = publication;
  const filename = tarballFilename(urlName, version);
  const npm = formatHandler('npm');
  npm.checkRequest({ package_file: '', npm_dist_tag: distTag });
  const meta = await npm.readMetadata(
    { filename, source: bufferArchiveSource(bytes) },
    { package_file: '', npm_dist_tag: distTag },
  );
  if (meta.name !== urlName || meta.version !== semver.valid(version)) {
    throw badPublish(
      `The tarball's package.json is ${meta.name}@${meta.version}, but the publish is for ${urlName}@${version}.`,
    );
  }
  // Checked before the bytes are staged, so that a refused publish stores nothing; the rows'
  // transaction checks again.
  const existing = await findLiveVersion(ctx, repo.access.repo.id, {
    format: 'npm',
    name_key: nameKeyFor('npm', urlName),
    version: meta.version,
    filename,
  });
  if (existing) {
    throw new ServiceError(
      'duplicate_package',
      `Cannot publish over the previously published version ${urlName}@${meta.version}.`,
    );
  }
  // No declared sha256: the bytes were checked against the client's integrity above, and staging
  // hashes them anyway; hashing them here too would only compare them with themselves.
  const pkg = await publishFile(ctx, actor, {
    access: repo.access,
    format: 'npm',
    filename,
    body: Readable.from([bytes]),
    declared: {},
    request: { package_file: '', npm_dist_tag: distTag },
    metadata: meta,
  });
  ctx.log.info(
    { packageId: pkg.slug_perm, repo: `${owner}/${slug}`, name: urlName, version },
    'npm version published',
  );
  return { ok: true, id: urlName, package: pkg };
}
