import type { Static } from 'typebox';
import { Type } from './type.js';

/** Events a webhook can subscribe to (`*` is every one). `ping` is sent on creation and is not subscribable. */
export const WEBHOOK_EVENTS = [
  '*',
  'package.created',
  'package.deleted',
  'package.downloaded',
  'package.failed',
  'package.quarantined',
  'package.released',
  'package.restored',
  'package.security_scanned',
  'package.synced',
  'package.syncing',
  'package.tags_updated',
] as const;

/** Body formats: 0 JSON object, 1 JSON array, 2 form-encoded `payload=<json>`. (3, Handlebars templates, is refused.) */
export const REQUEST_BODY_FORMATS = ['JSON Object', 'JSON Array', 'Form Encoded JSON'] as const;

/** Why a webhook was disabled by the service (0: it was not). */
export const DISABLE_REASONS = ['N/A', 'Too many failed deliveries'] as const;

const EventName = Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e)));

/** `POST /webhooks/{owner}/{repo}/` body (PATCH takes any subset). */
export const WebhookRequest = Type.Object({
  target_url: Type.String({
    minLength: 1,
    maxLength: 2000,
    description: 'http(s) URL the deliveries are POSTed to.',
  }),
  events: Type.Array(EventName, { minItems: 1, description: 'Events to deliver; `*` means all.' }),
  templates: Type.Optional(Type.Union([Type.Null(), Type.Array(Type.Unknown(), { maxItems: 0 })])),
  is_active: Type.Optional(Type.Boolean()),
  package_query: Type.Optional(
    Type.Union([
      Type.Null(),
      Type.String({ maxLength: 1024, description: 'Only packages matching this search (null: all).' }),
    ]),
  ),
  request_body_format: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
  request_body_template_format: Type.Optional(Type.Integer({ minimum: 0, maximum: 0 })),
  request_content_type: Type.Optional(Type.String({ maxLength: 128 })),
  secret_header: Type.Optional(
    Type.Union([Type.Null(), Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9-]*$' })]),
  ),
  secret_value: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 512 })])),
  signature_key: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 512 })])),
  verify_ssl: Type.Optional(Type.Boolean()),
});
/** Parsed webhook request body. */
export type WebhookRequest = Static<typeof WebhookRequest>;

/** A webhook as the API returns it (secrets are never returned). */
export const Webhook = Type.Object({
  slug_perm: Type.String(),
  identifier: Type.Integer({
    description: 'Sequential per repository (deprecated in Cloudsmith; kept for payload meta).',
  }),
  target_url: Type.String(),
  events: Type.Array(Type.String()),
  templates: Type.Array(Type.Unknown()),
  is_active: Type.Boolean(),
  package_query: Type.String(),
  query_error: Type.Union([Type.String(), Type.Null()], {
    description: 'Why the stored package_query cannot be read (the webhook is then skipped), or null.',
  }),
  request_body_format: Type.Integer(),
  request_body_format_str: Type.String(),
  request_body_template_format: Type.Integer(),
  request_content_type: Type.String(),
  secret_header: Type.Union([Type.String(), Type.Null()]),
  has_signature_key: Type.Boolean(),
  verify_ssl: Type.Boolean(),
  num_sent: Type.Integer(),
  last_response_status: Type.Union([Type.Integer(), Type.Null()]),
  last_response_status_str: Type.String(),
  is_last_response_bad: Type.Boolean(),
  disable_reason: Type.Integer(),
  disable_reason_str: Type.String(),
  disable_detail: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  created_by: Type.Union([Type.String(), Type.Null()]),
  updated_at: Type.String(),
  updated_by: Type.Union([Type.String(), Type.Null()]),
  self_url: Type.String(),
  deliveries_url: Type.String(),
});
/** A webhook on the wire. */
export type Webhook = Static<typeof Webhook>;

/** One delivery attempt in a webhook's log. */
export const WebhookDelivery = Type.Object({
  trigger_id: Type.String(),
  event: Type.String(),
  attempt: Type.Integer(),
  attempted_at: Type.String(),
  status_code: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  duration_ms: Type.Integer(),
  outcome: Type.Union([Type.Literal('delivered'), Type.Literal('retry'), Type.Literal('failed')]),
});
/** A delivery attempt on the wire. */
export type WebhookDelivery = Static<typeof WebhookDelivery>;

/** The body Airlock POSTs (JSON object format). */
export interface WebhookPayload {
  context?: Record<string, unknown>;
  data: unknown;
  meta: { event_id: string; trigger_id: string; webhook_id: number; event_at: string; attempt_at: string };
}
