import { insertAuditEvent, type AuditRecord } from '../store/audit.js';
import type { Db } from '../store/db.js';
import type { Actor } from './access.js';
import { newId } from './ids.js';

/** One change to record in the audit log. */
export interface AuditEntry {
  orgId: string;
  repoId?: string | null;
  event: string;
  eventKind: 'action' | 'create' | 'read' | 'update' | 'delete';
  object: string;
  objectKind: string;
  objectSlugPerm?: string | null;
  target?: string | null;
  targetKind?: string | null;
  targetSlugPerm?: string | null;
  context?: Record<string, unknown>;
}

/**
 * Records an audit event in the caller's transaction (so the event exists exactly when the
 * change does). The actor's CI identity, when it has one, goes into the context.
 */
export async function recordAudit(db: Db, actor: Actor, at: Date, entry: AuditEntry): Promise<void> {
  await insertAuditEvent(db, auditRecord(actor, at, entry));
}

/**
 * The audit event of an entry as it is stored, for a caller that writes it with other rows
 * itself; {@link recordAudit} is the usual way.
 */
export function auditRecord(actor: Actor, at: Date, entry: AuditEntry): AuditRecord {
  const p = actor.principal;
  const context: Record<string, unknown> = { ...(entry.context ?? {}) };
  if (p?.identity) context.identity = p.identity;
  if (p?.tokenId) context.token = p.tokenId;
  return {
    id: newId(16),
    org_id: entry.orgId,
    repo_id: entry.repoId ?? null,
    event: entry.event,
    event_kind: entry.eventKind,
    event_at: at.toISOString(),
    actor: p ? p.serviceSlug : (actor.system ?? 'anonymous'),
    actor_kind: p ? (p.kind === 'user' ? 'user' : 'service_account') : actor.system ? 'system' : 'anonymous',
    actor_slug_perm: p?.serviceId ?? null,
    actor_ip_address: actor.ip,
    object: entry.object,
    object_kind: entry.objectKind,
    object_slug_perm: entry.objectSlugPerm ?? null,
    target: entry.target ?? null,
    target_kind: entry.targetKind ?? null,
    target_slug_perm: entry.targetSlugPerm ?? null,
    context,
  };
}
