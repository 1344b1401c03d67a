import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FileUpload, UploadedFile } from '../../src/api/files.js';
import { generateApiKey, hashKey } from '../../src/server/domain/access.js';
import { newId } from '../../src/server/domain/ids.js';
import type { Db } from '../../src/server/store/db.js';
import type { TestServer } from '../helpers/server.js';
import { bucketKeys } from '../helpers/stores.js';

/** Hex digest of `bytes`. */
export function digest(algorithm: 'sha256' | 'md5' | 'sha1', bytes: Uint8Array): string {
  return crypto.createHash(algorithm).update(bytes).digest('hex');
}

/** `n` random bytes. */
export function randomBytes(n: number): Buffer {
  return crypto.randomBytes(n);
}

/** Inserts a repository of the server's org straight into the database; returns its id. */
export async function createRepo(
  db: Db,
  org: string,
  slug: string,
  type: 'Private' | 'Public' = 'Private',
): Promise<string> {
  const { id: orgId } = await db
    .selectFrom('orgs')
    .select('id')
    .where('slug', '=', org)
    .executeTakeFirstOrThrow();
  const id = newId();
  await db
    .insertInto('repos')
    .values({
      id,
      org_id: orgId,
      slug,
      name: slug,
      description: '',
      repository_type: type,
      created_at: new Date().toISOString(),
      created_by: null,
      deleted_at: null,
    })
    .execute();
  return id;
}

/** Creates a Member service account holding `privilege` on one repository; returns its API key. */
export async function createMemberKey(
  server: TestServer,
  repoId: string,
  privilege: 'Read' | 'Write',
): Promise<string> {
  const { id: orgId } = await server.ctx.db
    .selectFrom('orgs')
    .select('id')
    .where('slug', '=', server.org)
    .executeTakeFirstOrThrow();
  const key = generateApiKey();
  const id = newId();
  const now = new Date().toISOString();
  await server.ctx.db
    .insertInto('services')
    .values({
      id,
      org_id: orgId,
      slug: `member-${id.toLowerCase()}`,
      name: 'member',
      description: '',
      role: 'Member',
      key_hash: hashKey(server.ctx.secret, key),
      key_created_at: now,
      created_at: now,
      created_by: null,
      deleted_at: null,
    })
    .execute();
  await server.ctx.db
    .insertInto('repo_privileges')
    .values({ repo_id: repoId, principal_kind: 'service', principal_id: id, privilege })
    .execute();
  return key;
}

/** Calls the JSON API with the admin key (or `key`, or none when it is null). */
export async function api(
  server: TestServer,
  method: string,
  urlPath: string,
  body?: unknown,
  key: string | null = server.adminKey,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (key) headers['X-Api-Key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(server.url + urlPath, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Requests an upload in `repo` and returns the granted upload (throws unless 202). */
export async function requestUpload(
  server: TestServer,
  repo: string,
  body: { filename: string; sha256_checksum?: string; md5_checksum?: string; method?: string },
): Promise<FileUpload> {
  const res = await api(server, 'POST', `/files/${server.org}/${repo}/`, body);
  if (res.status !== 202) throw new Error(`upload request failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as FileUpload;
}

/** PUTs `bytes` to an upload URL without credentials. */
export async function putBytes(url: string, bytes: Uint8Array, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'PUT', body: bytes, headers });
}

/** Uploads `bytes` through the whole PUT path and returns what the service stored. */
export async function uploadFile(
  server: TestServer,
  repo: string,
  bytes: Uint8Array,
  filename = 'file.bin',
): Promise<UploadedFile> {
  const upload = await requestUpload(server, repo, {
    filename,
    sha256_checksum: digest('sha256', bytes),
    method: 'put',
  });
  const res = await putBytes(upload.upload_url, bytes);
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as UploadedFile;
}

/** Where the file store keeps a blob. */
export function blobFile(dataDir: string, sha256: string): string {
  return path.join(dataDir, 'blobs', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

/** The bytes of a committed blob, read through the service's blob store (files or S3), or null. */
export async function storedBytes(server: TestServer, sha256: string): Promise<Buffer | null> {
  if (!(await server.ctx.blobs.has(sha256))) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of await server.ctx.blobs.read(sha256)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The part numbers a multipart upload has stored so far, in the service's blob store (files or S3). */
export async function storedParts(server: TestServer, uploadId: string): Promise<string[]> {
  const blobs = server.ctx.config.blobs;
  if (blobs.kind === 's3') return bucketKeys(blobs.bucket, `parts/${uploadId}/`);
  return filesUnder(path.join(server.dataDir, 'parts', uploadId));
}

/** The committed blobs the service's blob store holds (blobs/ of the data directory, or of the bucket). */
export async function storedBlobs(server: TestServer): Promise<string[]> {
  const blobs = server.ctx.config.blobs;
  if (blobs.kind === 's3') return bucketKeys(blobs.bucket, 'blobs/');
  return filesUnder(path.join(server.dataDir, 'blobs'));
}

/** What the service's blob store holds in staging (tmp/ of the data directory, or of the bucket). */
export async function stagedObjects(server: TestServer): Promise<string[]> {
  const blobs = server.ctx.config.blobs;
  if (blobs.kind === 's3') return bucketKeys(blobs.bucket, 'tmp/');
  return filesUnder(path.join(server.dataDir, 'tmp'));
}

/** Every file below `dir` (relative paths), or [] when it does not exist. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** Inserts a package row for a stored blob straight into the database; returns its id (slug_perm). */
export async function insertPackage(
  db: Db,
  args: { repoId: string; sha256: string; size: number; filename: string; quarantined?: boolean },
): Promise<string> {
  const repo = await db
    .selectFrom('repos')
    .select(['org_id'])
    .where('id', '=', args.repoId)
    .executeTakeFirstOrThrow();
  const id = newId();
  const now = new Date().toISOString();
  await db
    .insertInto('packages')
    .values({
      id,
      org_id: repo.org_id,
      repo_id: args.repoId,
      origin_repo_id: args.repoId,
      format: 'raw',
      name: args.filename,
      name_key: args.filename.toLowerCase(),
      version: id,
      slug: `${args.filename}-${id}`.toLowerCase(),
      filename: args.filename,
      blob_sha256: args.sha256,
      size: args.size,
      summary: '',
      description: '',
      license: '',
      metadata: '{}',
      status: 4,
      stage: 9,
      status_reason: '',
      status_updated_at: now,
      stage_updated_at: now,
      sync_finished_at: now,
      is_quarantined: args.quarantined ? 1 : 0,
      policy_violated: 0,
      security_scan_status: 'Security Scanning Disabled',
      security_scan_started_at: null,
      security_scan_completed_at: null,
      uploaded_at: now,
      uploader_id: null,
      uploader: 'test',
      identity: null,
      deleted_at: null,
    })
    .execute();
  return id;
}

/** Appends query parameters the way the official CLI's HTTP library does. */
export function withParams(url: string, params: Record<string, string | number>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
  return u.toString();
}
