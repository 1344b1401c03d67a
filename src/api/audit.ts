import type { Static } from 'typebox';
import { Type } from './type.js';
import { PAGE_PROPERTIES } from './paging.js';

/** Facets the audit-log `query` understands, as `facet:value` terms separated by spaces (all must match). */
export const AUDIT_QUERY_FACETS = [
  'actor',
  'actor_kind',
  'event',
  'event_kind',
  'object',
  'object_kind',
] as const;

/** One audit-log entry (Cloudsmith `NamespaceAuditLog`/`RepositoryAuditLog`, without geolocation). */
export const AuditLogEntry = Type.Object({
  uuid: Type.String(),
  event: Type.String({ description: 'What happened, e.g. `repository.created`.' }),
  event_at: Type.String(),
  actor: Type.String({ description: 'Slug of the service account, or `anonymous`/`system`.' }),
  actor_kind: Type.Enum(['service_account', 'user', 'system', 'anonymous']),
  actor_slug_perm: Type.Union([Type.String(), Type.Null()]),
  actor_ip_address: Type.Union([Type.String(), Type.Null()]),
  object: Type.String(),
  object_kind: Type.String(),
  object_slug_perm: Type.Union([Type.String(), Type.Null()]),
  target: Type.Union([Type.String(), Type.Null()]),
  target_kind: Type.Union([Type.String(), Type.Null()]),
  target_slug_perm: Type.Union([Type.String(), Type.Null()]),
  context: Type.Record(Type.String(), Type.Unknown()),
});
/** One audit-log entry on the wire. */
export type AuditLogEntry = Static<typeof AuditLogEntry>;

/** Query parameters of the audit-log lists. */
export const AuditLogQuery = Type.Object({
  ...PAGE_PROPERTIES,
  query: Type.Optional(
    Type.String({
      maxLength: 1024,
      description:
        'Space-separated `facet:value` terms, all of which must match: actor, actor_kind, event, ' +
        'event_kind, object, object_kind. A value ending in `*` matches by prefix.',
    }),
  ),
});
/** Parsed audit-log query parameters. */
export type AuditLogQuery = Static<typeof AuditLogQuery>;
