import type { PolicyKind } from '../../api/policies.js';
import type { Actor } from '../domain/access.js';
import { recordAudit } from '../domain/audit.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { parsePackageQuery, queryProblem } from '../domain/package-query.js';
import { resolveOrg } from '../domain/repos.js';
import { spdxOrNull } from '../formats/spdx.js';
import {
  findPolicyRecord,
  insertPolicy,
  listPolicyRecords,
  removePolicy,
  writePolicy,
  type PolicyRecord,
} from '../store/policies.js';
import type { OrgsTable } from '../store/schema.js';
import { inTransaction } from '../store/source.js';

type PolicyRow = PolicyRecord;

const COMMON = ['name', 'description', 'package_query_string'] as const;

/** The defaults of each kind's own settings (everything a body may set beyond the common fields). */
const SETTINGS_DEFAULTS: Record<PolicyKind, Record<string, unknown>> = {
  vulnerability: { min_severity: 'Critical', on_violation_quarantine: false, allow_unknown_severity: false },
  license: { spdx_identifiers: [], allow_unknown_licenses: false, on_violation_quarantine: false },
  deny: { enabled: true },
};

/** Renders a policy row in its wire shape. */
export function policyView(kind: PolicyKind, row: PolicyRow): Record<string, unknown> {
  const view: Record<string, unknown> = {
    slug_perm: row.id,
    name: row.name,
    description: row.description,
    package_query_string: row.package_query_string,
    // A query stored before queries were checked on save may not parse: say so where it is seen.
    query_error: queryProblem(row.package_query_string),
    created_at: row.created_at,
    updated_at: row.updated_at,
    ...SETTINGS_DEFAULTS[kind],
    ...row.settings,
  };
  if (kind === 'deny') Object.assign(view, { action: 'Block downloads', status: 'Complete' });
  return view;
}

/** Org lookup for policy calls: reading needs org membership, writing an org Manager. */
export async function policyOrg(
  ctx: ServiceContext,
  actor: Actor,
  org: string,
  write: boolean,
): Promise<OrgsTable> {
  return (await resolveOrg(ctx, actor, org, { manager: write })).org;
}

/** Refuses license ids that are not SPDX identifiers: a typo would otherwise deny nothing, silently. */
function checkSpdxIdentifiers(ids: string[]): void {
  const bad = ids.filter((id) => /\s/.test(id.trim()) || spdxOrNull(id) === null);
  if (bad.length === 0) return;
  const list = bad.map((id) => `'${id}'`).join(', ');
  throw new ServiceError(
    'validation_failed',
    `Invalid spdx_identifiers: ${list} is not an SPDX license id.`,
    {
      spdx_identifiers: [`Not SPDX license ids: ${list}.`],
    },
  );
}

function splitBody(
  kind: PolicyKind,
  body: Record<string, unknown>,
): { common: Partial<PolicyRow>; settings: Record<string, unknown> } {
  const common: Partial<PolicyRow> = {};
  const settings: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) continue;
    // Null text (how some clients send "not set") is stored as the empty string.
    if ((COMMON as readonly string[]).includes(k)) (common as Record<string, unknown>)[k] = v ?? '';
    else if (k in SETTINGS_DEFAULTS[kind]) settings[k] = v;
  }
  if (Array.isArray(settings.spdx_identifiers)) checkSpdxIdentifiers(settings.spdx_identifiers as string[]);
  // A query that cannot be read would be evaluated at every download or scan: refuse it here.
  if (typeof common.package_query_string === 'string') {
    parsePackageQuery(common.package_query_string, 'package_query_string');
  }
  return { common, settings };
}

/** Lists an org's policies of a kind, oldest first. */
export async function listPolicies(
  ctx: ServiceContext,
  orgId: string,
  kind: PolicyKind,
): Promise<PolicyRow[]> {
  return listPolicyRecords(ctx, orgId, [kind]);
}

/** Finds one policy of a kind by slug_perm. */
export async function findPolicy(
  ctx: ServiceContext,
  orgId: string,
  kind: PolicyKind,
  id: string,
): Promise<PolicyRow> {
  const row = await findPolicyRecord(ctx, orgId, kind, id);
  if (!row) throw new ServiceError('not_found', `No ${kind} policy '${id}' in this organisation.`);
  return row;
}

/** Creates a policy. */
export async function createPolicy(
  ctx: ServiceContext,
  actor: Actor,
  org: OrgsTable,
  kind: PolicyKind,
  body: Record<string, unknown>,
): Promise<PolicyRow> {
  const { common, settings } = splitBody(kind, body);
  const now = ctx.clock().toISOString();
  const row: PolicyRow = {
    id: newId(),
    org_id: org.id,
    kind,
    name: String(common.name),
    description: common.description ?? '',
    settings: { ...SETTINGS_DEFAULTS[kind], ...settings },
    package_query_string: common.package_query_string ?? '',
    created_at: now,
    updated_at: now,
  };
  await inTransaction(ctx, async (tx) => {
    await insertPolicy(tx, row);
    await recordAudit(tx, actor, ctx.clock(), {
      orgId: org.id,
      event: `${kind}_policy.created`,
      eventKind: 'create',
      object: row.name,
      objectKind: `${kind}_policy`,
      objectSlugPerm: row.id,
    });
  });
  return row;
}

/** Changes a policy: PUT replaces every field (`replace`), PATCH only those given. */
export async function updatePolicy(
  ctx: ServiceContext,
  actor: Actor,
  row: PolicyRow,
  body: Record<string, unknown>,
  replace: boolean,
): Promise<PolicyRow> {
  const kind = row.kind;
  const { common, settings } = splitBody(kind, body);
  const base = replace ? SETTINGS_DEFAULTS[kind] : row.settings;
  const next: PolicyRow = {
    ...row,
    ...(replace ? { description: '', package_query_string: '' } : {}),
    ...common,
    settings: { ...base, ...settings },
    updated_at: ctx.clock().toISOString(),
  };
  await inTransaction(ctx, async (tx) => {
    await writePolicy(tx, next);
    await recordAudit(tx, actor, ctx.clock(), {
      orgId: row.org_id,
      event: `${kind}_policy.updated`,
      eventKind: 'update',
      object: next.name,
      objectKind: `${kind}_policy`,
      objectSlugPerm: row.id,
      context: { fields: Object.keys(body) },
    });
  });
  return next;
}

/** Deletes a policy (its recorded violations stay). */
export async function deletePolicy(ctx: ServiceContext, actor: Actor, row: PolicyRow): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await removePolicy(tx, row.id);
    await recordAudit(tx, actor, ctx.clock(), {
      orgId: row.org_id,
      event: `${row.kind}_policy.deleted`,
      eventKind: 'delete',
      object: row.name,
      objectKind: `${row.kind}_policy`,
      objectSlugPerm: row.id,
    });
  });
}
