import {
  UPSTREAM_FORMATS,
  type Upstream,
  type UpstreamFormat,
  type UpstreamPatch,
  type UpstreamRequest,
} from '../../api/upstreams.js';
import type { Actor } from '../domain/access.js';
import { recordAudit } from '../domain/audit.js';
import type { ServiceContext } from '../domain/context.js';
import { invalidField, ServiceError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { resolveRepo, type RepoAccess } from '../domain/repos.js';
import { sealSecret } from '../hooks/secrets.js';
import { policyFor } from '../net/address-policy.js';
import { checkOutboundUrl } from '../net/url-check.js';
import { inTransaction } from '../store/source.js';
import {
  countUpstreamRecords,
  findUpstreamRecord,
  insertUpstream,
  isUpstreamUrlTaken,
  listUpstreamRecords,
  removeUpstream,
  writeUpstream,
  type UpstreamRecord,
} from '../store/upstreams.js';

/** An upstream row. */
export type UpstreamRow = UpstreamRecord;

/** A header sent to an upstream with every request. */
export interface ExtraHeader {
  name: string;
  value: string;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
// Headers the service sets itself: an extra header must not replace them.
const RESERVED_HEADERS = new Set([
  'host',
  'authorization',
  'content-length',
  'if-none-match',
  'if-modified-since',
]);

/** The format of an upstream path, or a 404 naming the formats that have upstreams. */
export function upstreamFormat(format: string): UpstreamFormat {
  if ((UPSTREAM_FORMATS as readonly string[]).includes(format)) return format as UpstreamFormat;
  throw new ServiceError(
    'not_found',
    `Upstreams are kept for ${UPSTREAM_FORMATS.join(' and ')} repositories, not '${format.slice(0, 40)}'.`,
  );
}

/** Resolves the repository of an upstream call: Read to list and read, Admin to change. */
export function upstreamScope(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string,
  write: boolean,
): Promise<RepoAccess> {
  return resolveRepo(ctx, actor, owner, repo, write ? 'Admin' : 'Read');
}

/** The extra headers stored with an upstream. */
export function extraHeadersOf(row: Pick<UpstreamRow, 'extra_headers'>): ExtraHeader[] {
  return JSON.parse(row.extra_headers) as ExtraHeader[];
}

/** Renders an upstream in the API's shape (never its secret). */
export function upstreamView(ctx: ServiceContext, access: RepoAccess, row: UpstreamRow): Upstream {
  const headers = extraHeadersOf(row);
  return {
    slug_perm: row.id,
    name: row.name,
    upstream_url: row.upstream_url,
    upstream_type: row.format,
    mode: row.mode,
    priority: row.priority,
    auth_mode: row.auth_mode,
    auth_username: row.auth_username,
    has_auth_secret: row.auth_secret !== null,
    extra_header_1: headers[0]?.name ?? null,
    extra_value_1: headers[0]?.value ?? null,
    extra_header_2: headers[1]?.name ?? null,
    extra_value_2: headers[1]?.value ?? null,
    verify_ssl: row.verify_ssl === 1,
    is_active: row.is_active === 1,
    available: row.is_active === 1,
    can_reindex: false,
    disable_reason: 'N/A',
    disable_reason_text: '',
    has_failed_signature_verification: false,
    index_package_count: 0,
    index_status: 'Not Indexed',
    last_indexed: null,
    pending_validation: false,
    trust_level: 'Trusted',
    upstream_prefix: null,
    created_at: row.created_at,
    updated_at: row.updated_at,
    self_url: `${ctx.baseUrl}/repos/${access.org.slug}/${access.repo.slug}/upstream/${row.format}/${row.id}/`,
  };
}

/** One page of a repository's upstreams of a format, by priority, with the total. */
export async function listUpstreams(
  ctx: ServiceContext,
  access: RepoAccess,
  format: UpstreamFormat,
  window: { offset: number; size: number },
): Promise<{ items: Upstream[]; count: number }> {
  const rows = await listUpstreamRecords(ctx, access.repo.id, format, window);
  const count = await countUpstreamRecords(ctx, access.repo.id, format);
  return { items: rows.map((r) => upstreamView(ctx, access, r)), count };
}

/** One live upstream by slug_perm; 404 naming it otherwise. */
export async function findUpstream(
  ctx: ServiceContext,
  access: RepoAccess,
  format: UpstreamFormat,
  id: string,
): Promise<UpstreamRow> {
  const row = await findUpstreamRecord(ctx, access.repo.id, format, id);
  if (!row) {
    throw new ServiceError(
      'not_found',
      `No ${format} upstream '${id.slice(0, 40)}' in ${access.org.slug}/${access.repo.slug}.`,
    );
  }
  return row;
}

function checkUrlForm(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidField('upstream_url', `'${value.slice(0, 80)}' is not an absolute URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidField('upstream_url', `must use http or https, not ${url.protocol.replace(':', '')}.`);
  }
  if (url.username || url.password) {
    throw invalidField(
      'upstream_url',
      'must not carry credentials; use auth_mode with auth_username and auth_secret.',
    );
  }
  if (url.search || url.hash) throw invalidField('upstream_url', 'must not have a query or a fragment.');
  // One spelling per base URL, so that the same upstream is recognised however it was written.
  return url.toString().replace(/\/+$/, '');
}

function checkHeaders(body: UpstreamPatch, current: ExtraHeader[]): ExtraHeader[] {
  const out: ExtraHeader[] = [];
  for (const n of [1, 2] as const) {
    const nameKey = `extra_header_${n}` as const;
    const valueKey = `extra_value_${n}` as const;
    const name = body[nameKey] === undefined ? (current[n - 1]?.name ?? null) : body[nameKey];
    const value = body[valueKey] === undefined ? (current[n - 1]?.value ?? null) : body[valueKey];
    if (!name) {
      if (value) throw invalidField(nameKey, `is required when ${valueKey} is set.`);
      continue;
    }
    if (!HEADER_NAME.test(name)) throw invalidField(nameKey, `'${name}' is not a valid header name.`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw invalidField(nameKey, `'${name}' is set by the service itself; use auth_mode for credentials.`);
    }
    if (/[\r\n\0]/.test(value ?? '')) throw invalidField(valueKey, 'must not contain line breaks.');
    out.push({ name, value: value ?? '' });
  }
  return out;
}

/** The row a create or change produces from the body over `base` (the current row, or defaults). */
async function applyBody(
  ctx: ServiceContext,
  access: RepoAccess,
  format: UpstreamFormat,
  base: UpstreamRow,
  body: UpstreamPatch,
): Promise<UpstreamRow> {
  const next: UpstreamRow = { ...base };
  if (body.name !== undefined) {
    if (!body.name.trim()) throw invalidField('name', 'must not be blank.');
    next.name = body.name.trim();
  }
  if (body.upstream_url !== undefined) {
    next.upstream_url = checkUrlForm(body.upstream_url);
    // Checked again at every connection; this catches an address that is refused already.
    await checkOutboundUrl(policyFor(ctx.config.outbound.allow), 'upstream_url', next.upstream_url);
    if (await isUpstreamUrlTaken(ctx, access.repo.id, format, next.upstream_url, base.id)) {
      throw new ServiceError(
        'conflict',
        `upstream_url: ${next.upstream_url} is already configured as a ${format} upstream of ${access.org.slug}/${access.repo.slug}.`,
        { upstream_url: ['is already configured for this repository.'] },
      );
    }
  }
  if (body.mode !== undefined) next.mode = body.mode;
  if (body.priority !== undefined) next.priority = body.priority;
  if (body.verify_ssl !== undefined) next.verify_ssl = body.verify_ssl ? 1 : 0;
  if (body.is_active !== undefined) next.is_active = body.is_active ? 1 : 0;
  if (body.auth_mode !== undefined) next.auth_mode = body.auth_mode;
  if (body.auth_username !== undefined) next.auth_username = body.auth_username || null;
  if (body.auth_secret !== undefined) {
    next.auth_secret = body.auth_secret ? sealSecret(ctx.secret, body.auth_secret) : null;
  }
  if (next.auth_mode === 'None') {
    next.auth_username = null;
    next.auth_secret = null;
  } else if (next.auth_mode === 'Username and Password') {
    if (!next.auth_username)
      throw invalidField('auth_username', "is required when auth_mode is 'Username and Password'.");
    if (!next.auth_secret)
      throw invalidField('auth_secret', "is required when auth_mode is 'Username and Password'.");
  } else {
    next.auth_username = null;
    if (!next.auth_secret) throw invalidField('auth_secret', "is required when auth_mode is 'Token'.");
  }
  next.extra_headers = JSON.stringify(checkHeaders(body, extraHeadersOf(base)));
  return next;
}

function auditContext(row: UpstreamRow, body: UpstreamPatch): Record<string, unknown> {
  // Field names only for secrets: their values never reach the audit log.
  return {
    format: row.format,
    upstream_url: row.upstream_url,
    mode: row.mode,
    priority: row.priority,
    is_active: row.is_active === 1,
    fields: Object.keys(body),
  };
}

async function audit(
  ctx: ServiceContext,
  trx: Parameters<typeof recordAudit>[0],
  actor: Actor,
  access: RepoAccess,
  row: UpstreamRow,
  kind: 'create' | 'update' | 'delete',
  body: UpstreamPatch,
): Promise<void> {
  await recordAudit(trx, actor, ctx.clock(), {
    orgId: access.org.id,
    repoId: access.repo.id,
    event: `upstream.${kind === 'create' ? 'created' : kind === 'update' ? 'updated' : 'deleted'}`,
    eventKind: kind,
    object: row.name,
    objectKind: 'upstream',
    objectSlugPerm: row.id,
    target: `${access.org.slug}/${access.repo.slug}`,
    targetKind: 'repository',
    targetSlugPerm: access.repo.id,
    context: auditContext(row, body),
  });
}

/** Creates an upstream of a repository (Admin; the scope is resolved by the caller). */
export async function createUpstream(
  ctx: ServiceContext,
  actor: Actor,
  access: RepoAccess,
  format: UpstreamFormat,
  body: UpstreamRequest,
): Promise<UpstreamRow> {
  const now = ctx.clock().toISOString();
  const defaults: UpstreamRow = {
    id: newId(),
    org_id: access.org.id,
    repo_id: access.repo.id,
    format,
    name: '',
    upstream_url: '',
    mode: 'Proxy Only',
    priority: 1,
    auth_mode: 'None',
    auth_username: null,
    auth_secret: null,
    extra_headers: '[]',
    verify_ssl: 1,
    is_active: 1,
    created_at: now,
    updated_at: now,
    deleted_at: null,
  };
  const row = await applyBody(ctx, access, format, defaults, body);
  await inTransaction(ctx, async (trx) => {
    await insertUpstream(trx, row);
    await audit(ctx, trx, actor, access, row, 'create', body);
  });
  return row;
}

/** Changes an upstream: PUT (`replace`) resets what the body leaves out to defaults, PATCH keeps it. */
export async function updateUpstream(
  ctx: ServiceContext,
  actor: Actor,
  access: RepoAccess,
  row: UpstreamRow,
  body: UpstreamPatch,
  replace: boolean,
): Promise<UpstreamRow> {
  const base: UpstreamRow = replace
    ? {
        ...row,
        mode: 'Proxy Only',
        priority: 1,
        auth_mode: 'None',
        auth_username: null,
        // A PUT that keeps the auth mode without resending the secret keeps the stored one.
        auth_secret: body.auth_mode && body.auth_mode !== 'None' ? row.auth_secret : null,
        extra_headers: '[]',
        verify_ssl: 1,
        is_active: 1,
      }
    : row;
  const next = await applyBody(ctx, access, row.format as UpstreamFormat, base, body);
  // Strictly later than before, as clients polling for the change compare it.
  const now = ctx.clock().getTime();
  const before = Date.parse(row.updated_at);
  next.updated_at = new Date(Math.max(now, before + 1)).toISOString();
  await inTransaction(ctx, async (trx) => {
    await writeUpstream(trx, next);
    await audit(ctx, trx, actor, access, next, 'update', body);
  });
  return next;
}

/** Deletes an upstream and what was cached from it (packages it created stay). */
export async function deleteUpstream(
  ctx: ServiceContext,
  actor: Actor,
  access: RepoAccess,
  row: UpstreamRow,
): Promise<void> {
  await inTransaction(ctx, async (trx) => {
    await removeUpstream(trx, row.id, ctx.clock().toISOString());
    await audit(ctx, trx, actor, access, row, 'delete', {});
  });
}
