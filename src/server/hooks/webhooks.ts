import {
  DISABLE_REASONS,
  REQUEST_BODY_FORMATS,
  type Webhook,
  type WebhookRequest,
} from '../../api/webhooks.js';
import type { Actor } from '../domain/access.js';
import { recordAudit } from '../domain/audit.js';
import type { ServiceContext } from '../domain/context.js';
import { invalidField, ServiceError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { policyFor } from '../net/address-policy.js';
import { checkOutboundUrl } from '../net/url-check.js';
import { parsePackageQuery, queryProblem } from '../domain/package-query.js';
import { resolveRepo, type RepoAccess } from '../domain/repos.js';
import { inTransaction } from '../store/source.js';
import {
  changeWebhook,
  findLiveWebhook,
  insertWebhook,
  nextWebhookSeq,
  type WebhookChanges,
  type WebhookRecord,
} from '../store/webhooks.js';
import { sealSecret } from './secrets.js';

type WebhookRow = WebhookRecord;

async function checkTargetUrl(ctx: ServiceContext, value: string): Promise<void> {
  checkTargetUrlForm(value);
  // Checked again at every delivery; this catches a target that is refused already.
  await checkOutboundUrl(policyFor(ctx.config.outbound.allow), 'target_url', value);
}

function checkTargetUrlForm(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidField('target_url', `'${value}' is not an absolute URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidField('target_url', `must use http or https, not ${url.protocol.replace(':', '')}.`);
  }
  if (url.username || url.password)
    throw invalidField('target_url', 'must not carry credentials; use secret_header.');
}

function statusText(code: number | null): string {
  if (code === null) return 'No response yet';
  if (code === 0) return 'No response (network error or timeout)';
  return code >= 200 && code < 300 ? `${code} OK` : `${code} Error`;
}

/** A webhook as stored, or as a raw row with its events as JSON text (what a caller reading rows itself holds). */
type ViewableWebhook = WebhookRow | (Omit<WebhookRow, 'events'> & { events: string });

/** Renders a webhook in the API's shape. */
export function webhookView(
  ctx: ServiceContext,
  scope: { owner: string; repo: string },
  row: ViewableWebhook,
): Webhook {
  const self = `${ctx.baseUrl}/webhooks/${scope.owner}/${scope.repo}/${row.id}/`;
  return {
    slug_perm: row.id,
    identifier: row.seq,
    target_url: row.target_url,
    events: typeof row.events === 'string' ? (JSON.parse(row.events) as string[]) : row.events,
    templates: [],
    is_active: row.is_active === 1,
    package_query: row.package_query,
    // A query stored before queries were checked on save may not parse: the webhook is then
    // skipped for every package, and this says why.
    query_error: queryProblem(row.package_query),
    request_body_format: row.request_body_format,
    request_body_format_str: REQUEST_BODY_FORMATS[row.request_body_format] ?? 'JSON Object',
    request_body_template_format: 0,
    request_content_type:
      row.request_body_format === 2 ? 'application/x-www-form-urlencoded' : 'application/json',
    secret_header: row.secret_header,
    has_signature_key: row.signature_key !== null,
    verify_ssl: row.verify_ssl === 1,
    num_sent: row.num_sent,
    last_response_status: row.last_response_status,
    last_response_status_str: statusText(row.last_response_status),
    is_last_response_bad:
      row.last_response_status !== null &&
      !(row.last_response_status >= 200 && row.last_response_status < 300),
    disable_reason: row.disable_reason,
    disable_reason_str: DISABLE_REASONS[row.disable_reason] ?? 'N/A',
    disable_detail: row.disable_detail,
    created_at: row.created_at,
    created_by: row.created_by,
    updated_at: row.updated_at,
    updated_by: row.updated_by,
    self_url: self,
    deliveries_url: `${self}deliveries/`,
  };
}

/** Resolves the repository of a webhook call; managing webhooks needs Admin. */
export function webhookScope(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string,
): Promise<RepoAccess> {
  return resolveRepo(ctx, actor, owner, repo, 'Admin');
}

/** Finds a live webhook of a repository by slug_perm (or its sequential identifier). */
export async function findWebhook(ctx: ServiceContext, scope: RepoAccess, id: string): Promise<WebhookRow> {
  const row = await findLiveWebhook(ctx, scope.repo.id, id);
  if (!row)
    throw new ServiceError('not_found', `Webhook '${id}' not found in ${scope.org.slug}/${scope.repo.slug}.`);
  return row;
}

function sealedOrNull(ctx: ServiceContext, value: string | null | undefined): string | null {
  return value ? sealSecret(ctx.secret, value) : null;
}

/** Creates a webhook; returns its row. */
export async function createWebhook(
  ctx: ServiceContext,
  actor: Actor,
  scope: RepoAccess,
  body: WebhookRequest,
): Promise<WebhookRow> {
  if (body.package_query) parsePackageQuery(body.package_query, 'package_query');
  await checkTargetUrl(ctx, body.target_url);
  if (body.secret_value && !body.secret_header)
    throw invalidField('secret_header', 'is required when secret_value is set.');
  const now = ctx.clock().toISOString();
  const by = actor.principal?.serviceSlug ?? null;
  return inTransaction(ctx, async (tx) => {
    const row: WebhookRow = {
      id: newId(),
      org_id: scope.org.id,
      repo_id: scope.repo.id,
      seq: await nextWebhookSeq(tx, scope.repo.id),
      target_url: body.target_url,
      events: [...new Set(body.events)],
      is_active: body.is_active === false ? 0 : 1,
      package_query: body.package_query ?? '',
      request_body_format: body.request_body_format ?? 0,
      signature_key: sealedOrNull(ctx, body.signature_key),
      secret_header: body.secret_header ?? null,
      secret_value: sealedOrNull(ctx, body.secret_value),
      verify_ssl: body.verify_ssl === false ? 0 : 1,
      num_sent: 0,
      failed_in_a_row: 0,
      last_response_status: null,
      disable_reason: 0,
      disable_detail: null,
      created_at: now,
      created_by: by,
      updated_at: now,
      updated_by: by,
      deleted_at: null,
    };
    await insertWebhook(tx, row);
    await recordAudit(tx, actor, ctx.clock(), {
      orgId: scope.org.id,
      repoId: scope.repo.id,
      event: 'webhook.created',
      eventKind: 'create',
      object: body.target_url,
      objectKind: 'webhook',
      objectSlugPerm: row.id,
      target: scope.repo.slug,
      targetKind: 'repository',
      targetSlugPerm: scope.repo.id,
    });
    return row;
  });
}

/** Changes a webhook; re-activating one clears its disable reason and failure count. */
export async function updateWebhook(
  ctx: ServiceContext,
  actor: Actor,
  scope: RepoAccess,
  row: WebhookRow,
  body: Partial<WebhookRequest>,
): Promise<WebhookRow> {
  if (body.package_query) parsePackageQuery(body.package_query, 'package_query');
  if (body.target_url !== undefined) await checkTargetUrl(ctx, body.target_url);
  const patch: WebhookChanges = {
    updated_at: ctx.clock().toISOString(),
    updated_by: actor.principal?.serviceSlug ?? null,
  };
  if (body.target_url !== undefined) patch.target_url = body.target_url;
  if (body.events !== undefined) patch.events = [...new Set(body.events)];
  if (body.package_query !== undefined) patch.package_query = body.package_query ?? '';
  if (body.request_body_format !== undefined) patch.request_body_format = body.request_body_format;
  if (body.signature_key !== undefined) patch.signature_key = sealedOrNull(ctx, body.signature_key);
  if (body.secret_header !== undefined) patch.secret_header = body.secret_header;
  if (body.secret_value !== undefined) patch.secret_value = sealedOrNull(ctx, body.secret_value);
  if (body.verify_ssl !== undefined) patch.verify_ssl = body.verify_ssl ? 1 : 0;
  if (body.is_active !== undefined) {
    patch.is_active = body.is_active ? 1 : 0;
    if (body.is_active) Object.assign(patch, { disable_reason: 0, disable_detail: null, failed_in_a_row: 0 });
  }
  await inTransaction(ctx, async (tx) => {
    await changeWebhook(tx, row.id, patch);
    await recordAudit(tx, actor, ctx.clock(), {
      orgId: scope.org.id,
      repoId: scope.repo.id,
      event: 'webhook.updated',
      eventKind: 'update',
      object: patch.target_url ?? row.target_url,
      objectKind: 'webhook',
      objectSlugPerm: row.id,
      context: { fields: Object.keys(body) },
    });
  });
  return { ...row, ...patch };
}

/** Deletes a webhook (soft: its delivery log stays readable in the audit trail). */
export async function deleteWebhook(
  ctx: ServiceContext,
  actor: Actor,
  scope: RepoAccess,
  row: WebhookRow,
): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await changeWebhook(tx, row.id, { deleted_at: ctx.clock().toISOString(), is_active: 0 });
    await recordAudit(tx, actor, ctx.clock(), {
      orgId: scope.org.id,
      repoId: scope.repo.id,
      event: 'webhook.deleted',
      eventKind: 'delete',
      object: row.target_url,
      objectKind: 'webhook',
      objectSlugPerm: row.id,
    });
  });
}
