import { sql, type Selectable } from 'kysely';
import {
  bindAuditEventInsert,
  buildEventInsert,
  eventRow,
  insertAuditEvent,
  type AuditRecord,
} from './audit.js';
import { compiledOnce, type Placeholders } from './compiled-once.js';
import type { Db } from './db.js';
import { inGroupCommit, inSqliteGroupCommit } from './group-commit.js';
import { onSqliteConnection } from './sqlite-session.js';
import type { AuditEventsTable, OidcProvidersTable, OidcTokensTable } from './schema.js';
import { dbOf, isPostgres, type DbSource } from './source.js';

/** An organisation's id and slug. */
export interface OrgRef {
  id: string;
  slug: string;
}

/** The CI identity an exchanged token carries (the shape of the domain's caller identity). */
export interface StoredIdentity {
  issuer: string;
  subject: string;
  [claim: string]: string | number | undefined;
}

/**
 * A trusted provider, its claim rules parsed from their JSON column; `claims` is null when the
 * stored rules cannot be read (a row changed by hand), so that a caller can refuse rather than fail.
 */
export type OidcProviderRecord = Omit<OidcProvidersTable, 'claims'> & {
  claims: Record<string, string> | null;
};

/** The fields of a provider a change may set. */
export type ProviderChanges = Partial<Omit<OidcProviderRecord, 'id' | 'org_id' | 'claims'>> & {
  claims?: Record<string, string>;
};

/** A new exchanged token as stored: only the keyed hash of its secret. */
export interface NewOidcToken {
  id: string;
  key_hash: string;
  org_id: string;
  service_id: string;
  provider_id: string;
  subject: string;
  identity: StoredIdentity;
  created_at: string;
  expires_at: string;
}

/** A live token with what revoking it and recording that needs. */
export interface LiveTokenRef {
  id: string;
  org_id: string;
  subject: string;
  provider_id: string;
  /** The slug of its service account. */
  slug: string;
}

/** An exchanged token together with its service account and organisation, as authentication needs it. */
export interface ResolvedToken {
  token_id: string;
  expires_at: string;
  identity: StoredIdentity;
  service_id: string;
  service_slug: string;
  name: string;
  role: 'Manager' | 'Member';
  org_id: string;
  org_slug: string;
}

/** An exchanged token as an organisation's token list shows it. */
export interface TokenListing {
  id: string;
  /** The slug of its service account. */
  slug: string;
  provider_id: string;
  identity: StoredIdentity;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** A page window: how many rows to skip and to return. */
export interface PageWindow {
  offset: number;
  size: number;
}

function decodeClaims(text: string): Record<string, string> | null {
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    return null;
  }
}

function decodeProvider(row: OidcProvidersTable): OidcProviderRecord {
  return { ...row, claims: decodeClaims(row.claims) };
}

/** The organisation with this slug, or undefined. */
export async function findOrgRef(source: DbSource, slug: string): Promise<OrgRef | undefined> {
  return dbOf(source).selectFrom('orgs').select(['id', 'slug']).where('slug', '=', slug).executeTakeFirst();
}

/** A live service account as a token exchange needs it. */
export interface ExchangeService {
  id: string;
  slug: string;
  name: string;
  role: 'Manager' | 'Member';
}

/** A provider of the organisation, and whether the named service account is attached to it. */
export type ExchangeProvider = OidcProviderRecord & { attached: boolean };

/** Everything a token exchange decides on, read in one statement. */
export interface ExchangeTrust {
  org: OrgRef;
  /** The live service account named, if the organisation has one. */
  service: ExchangeService | undefined;
  /** Every provider of the organisation, in no particular order. */
  providers: ExchangeProvider[];
}

const selectExchangeTrust = compiledOnce((db, p: { orgSlug: string; serviceSlug: string }) =>
  db
    .selectFrom('orgs as o')
    .leftJoin('services as s', (join) =>
      join.onRef('s.org_id', '=', 'o.id').on('s.slug', '=', p.serviceSlug).on('s.deleted_at', 'is', null),
    )
    .leftJoin('oidc_providers as p', 'p.org_id', 'o.id')
    .leftJoin('oidc_provider_services as ps', (join) =>
      join.onRef('ps.provider_id', '=', 'p.id').onRef('ps.service_id', '=', 's.id'),
    )
    .select([
      'o.id as org_id',
      'o.slug as org_slug',
      's.id as service_id',
      's.slug as service_slug',
      's.name as service_name',
      's.role as service_role',
      'p.id',
      'p.slug',
      'p.name',
      'p.enabled',
      'p.provider_url',
      'p.audience',
      'p.claims',
      'p.token_ttl_seconds',
      'p.created_at',
      'p.created_by',
      'p.updated_at',
      'ps.service_id as attached_service',
    ])
    .where('o.slug', '=', p.orgSlug),
);

type TrustRow = Awaited<ReturnType<typeof selectExchangeTrust>>['rows'][number];

/**
 * What a token exchange for `serviceSlug` of the organisation `orgSlug` decides on — the
 * organisation, its live service account of that slug, and each of its providers with whether
 * that account is attached to it — in one statement, or undefined when there is no such
 * organisation. One statement instead of one per question: the exchange runs at every CI job.
 */
export async function findExchangeTrust(
  source: DbSource,
  orgSlug: string,
  serviceSlug: string,
): Promise<ExchangeTrust | undefined> {
  const values = { orgSlug, serviceSlug };
  // On SQLite without Kysely's executor: the exchange runs at every CI job.
  const rows =
    (await onSqliteConnection(source, (session) =>
      session.all<TrustRow>(selectExchangeTrust.bind(source, values)),
    )) ?? (await selectExchangeTrust(source, values)).rows;
  const first = rows[0];
  if (!first) return undefined;
  const org = { id: first.org_id, slug: first.org_slug };
  const service =
    first.service_id === null
      ? undefined
      : {
          id: first.service_id,
          slug: first.service_slug!,
          name: first.service_name!,
          role: first.service_role!,
        };
  const providers: ExchangeProvider[] = [];
  for (const r of rows) {
    if (r.id === null) continue;
    providers.push({
      ...decodeProvider({
        id: r.id,
        org_id: org.id,
        slug: r.slug!,
        name: r.name!,
        enabled: r.enabled!,
        provider_url: r.provider_url!,
        audience: r.audience!,
        claims: r.claims!,
        token_ttl_seconds: r.token_ttl_seconds!,
        created_at: r.created_at!,
        created_by: r.created_by,
        updated_at: r.updated_at!,
      }),
      attached: r.attached_service !== null,
    });
  }
  return { org, service, providers };
}

/** The ids and slugs of an organisation's live service accounts among `slugs`. */
export async function findServicesBySlug(
  source: DbSource,
  orgId: string,
  slugs: string[],
): Promise<{ id: string; slug: string }[]> {
  if (slugs.length === 0) return [];
  return dbOf(source)
    .selectFrom('services')
    .select(['id', 'slug'])
    .where('org_id', '=', orgId)
    .where('slug', 'in', slugs)
    .where('deleted_at', 'is', null)
    .execute();
}

/** How many providers an organisation trusts. */
export async function countProviders(source: DbSource, orgId: string): Promise<number> {
  const { count } = await dbOf(source)
    .selectFrom('oidc_providers')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(count);
}

/** One page of an organisation's providers, oldest first. */
export async function listProviderPage(
  source: DbSource,
  orgId: string,
  window: PageWindow,
): Promise<OidcProviderRecord[]> {
  const rows = await dbOf(source)
    .selectFrom('oidc_providers')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(window.size)
    .offset(window.offset)
    .execute();
  return rows.map(decodeProvider);
}

/** One provider of an organisation by id, or undefined. */
export async function findProviderRecord(
  source: DbSource,
  orgId: string,
  id: string,
): Promise<OidcProviderRecord | undefined> {
  const row = await dbOf(source)
    .selectFrom('oidc_providers')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && decodeProvider(row);
}

/** Whether an organisation has a provider with this slug. */
export async function providerSlugTaken(source: DbSource, orgId: string, slug: string): Promise<boolean> {
  const taken = await dbOf(source)
    .selectFrom('oidc_providers')
    .select('id')
    .where('org_id', '=', orgId)
    .where('slug', '=', slug)
    .executeTakeFirst();
  return taken !== undefined;
}

/** Stores a new provider (its claim rules must be readable). */
export async function insertProvider(
  source: DbSource,
  record: OidcProviderRecord & { claims: Record<string, string> },
): Promise<void> {
  await dbOf(source)
    .insertInto('oidc_providers')
    .values({ ...record, claims: JSON.stringify(record.claims) })
    .execute();
}

/** Sets the given fields of a provider. */
export async function changeProvider(source: DbSource, id: string, changes: ProviderChanges): Promise<void> {
  const { claims, ...rest } = changes;
  await dbOf(source)
    .updateTable('oidc_providers')
    .set(claims === undefined ? rest : { ...rest, claims: JSON.stringify(claims) })
    .where('id', '=', id)
    .execute();
}

/** Deletes a provider with its tokens and service links; meant for one transaction. */
export async function removeProvider(source: DbSource, id: string): Promise<void> {
  // Explicit rather than left to ON DELETE CASCADE, which SQLite honours only with its pragma on.
  await dbOf(source).deleteFrom('oidc_tokens').where('provider_id', '=', id).execute();
  await dbOf(source).deleteFrom('oidc_provider_services').where('provider_id', '=', id).execute();
  await dbOf(source).deleteFrom('oidc_providers').where('id', '=', id).execute();
}

/** Attaches service accounts to a provider. */
export async function linkServices(
  source: DbSource,
  providerId: string,
  serviceIds: string[],
): Promise<void> {
  if (serviceIds.length === 0) return;
  await dbOf(source)
    .insertInto('oidc_provider_services')
    .values(serviceIds.map((id) => ({ provider_id: providerId, service_id: id })))
    .execute();
}

/** Detaches every service account from a provider. */
export async function unlinkServices(source: DbSource, providerId: string): Promise<void> {
  await dbOf(source).deleteFrom('oidc_provider_services').where('provider_id', '=', providerId).execute();
}

/** The ids of the service accounts attached to a provider. */
export async function linkedServiceIds(source: DbSource, providerId: string): Promise<string[]> {
  const rows = await dbOf(source)
    .selectFrom('oidc_provider_services')
    .select('service_id')
    .where('provider_id', '=', providerId)
    .execute();
  return rows.map((r) => r.service_id);
}

/** The slugs of the live service accounts attached to each of `providerIds`, by slug. */
export async function linkedServiceSlugs(
  source: DbSource,
  providerIds: string[],
): Promise<{ provider_id: string; slug: string }[]> {
  if (providerIds.length === 0) return [];
  return dbOf(source)
    .selectFrom('oidc_provider_services as ps')
    .innerJoin('services as s', 's.id', 'ps.service_id')
    .select(['ps.provider_id', 's.slug'])
    .where('ps.provider_id', 'in', providerIds)
    .where('s.deleted_at', 'is', null)
    .orderBy('s.slug')
    .execute();
}

type TokenRow = Omit<OidcTokensTable, 'revoked_at'>;

function buildTokenInsert(db: Db, p: Placeholders<TokenRow>) {
  return db.insertInto('oidc_tokens').values({
    id: p.id,
    key_hash: p.key_hash,
    org_id: p.org_id,
    service_id: p.service_id,
    provider_id: p.provider_id,
    subject: p.subject,
    identity: p.identity,
    created_at: p.created_at,
    expires_at: p.expires_at,
    revoked_at: null,
  });
}

const insertTokenRow = compiledOnce(buildTokenInsert);

function tokenRow(token: NewOidcToken): TokenRow {
  return { ...token, identity: JSON.stringify(token.identity) };
}

/** Stores a new exchanged token. */
export async function insertToken(source: DbSource, token: NewOidcToken): Promise<void> {
  await insertTokenRow(source, tokenRow(token));
}

/** A row's fields under names that start with `X`. */
type Prefixed<T, X extends string> = { [K in keyof T & string as `${X}${K}`]: T[K] };

function prefixed<T extends object, X extends string>(row: T, prefix: X): Prefixed<T, X> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) out[prefix + name] = value;
  return out as Prefixed<T, X>;
}

function unprefixed<T>(p: object, prefix: string): Placeholders<T> {
  return new Proxy({} as Placeholders<T>, {
    get: (_target, name) => (p as Record<string, unknown>)[prefix + String(name)],
  });
}

type TokenAndEvent = Prefixed<TokenRow, 't_'> & Prefixed<Selectable<AuditEventsTable>, 'e_'>;

// PostgreSQL: both inserts and the relaxed commit in one statement, so one round trip instead of
// five (BEGIN, SET LOCAL, two inserts, COMMIT). A locally set synchronous_commit lasts until the
// end of the statement's own transaction, whose commit is what it relaxes.
const insertTokenAndEvent = compiledOnce((db, p: TokenAndEvent) =>
  db
    .with('token', () => buildTokenInsert(db, unprefixed(p, 't_')))
    .with('event', () => buildEventInsert(db, unprefixed(p, 'e_')))
    .selectNoFrom(sql<string>`set_config('synchronous_commit', 'off', true)`.as('relaxed')),
);

/**
 * Stores a new exchanged token with its audit event as one group commit (see group-commit.ts):
 * both survive a crash of the service once this resolves. The token exchange's write: on SQLite
 * its statements run in one turn of the event loop, on PostgreSQL they are one statement.
 */
export async function insertTokenWithEvent(
  source: DbSource,
  token: NewOidcToken,
  event: AuditRecord,
): Promise<void> {
  const direct = inSqliteGroupCommit(source, (session) => {
    session.run(insertTokenRow.bind(source, tokenRow(token)));
    session.run(bindAuditEventInsert(source, event));
  });
  if (direct) return direct;
  const db = dbOf(source);
  if (isPostgres(db) && !db.isTransaction) {
    await insertTokenAndEvent(db, { ...prefixed(tokenRow(token), 't_'), ...prefixed(eventRow(event), 'e_') });
    return;
  }
  await inGroupCommit(source, async (trx) => {
    await insertToken(trx, token);
    await insertAuditEvent(trx, event);
  });
}

/**
 * The tokens live at `now` (unrevoked, unexpired) that were exchanged under `providerId` and/or
 * for one of `serviceIds`.
 */
export async function listLiveTokens(
  source: DbSource,
  now: string,
  which: { providerId?: string; serviceIds?: string[] },
): Promise<LiveTokenRef[]> {
  let query = dbOf(source)
    .selectFrom('oidc_tokens as t')
    .innerJoin('services as s', 's.id', 't.service_id')
    .select(['t.id', 't.org_id', 't.subject', 't.provider_id', 's.slug'])
    .where('t.revoked_at', 'is', null)
    .where('t.expires_at', '>', now);
  if (which.providerId !== undefined) query = query.where('t.provider_id', '=', which.providerId);
  if (which.serviceIds !== undefined) query = query.where('t.service_id', 'in', which.serviceIds);
  return query.execute();
}

/** Revokes a token as of `at`; false when it was revoked already. */
export async function markTokenRevoked(source: DbSource, id: string, at: string): Promise<boolean> {
  const result = await dbOf(source)
    .updateTable('oidc_tokens')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * The token with this keyed hash when it still grants access at `now`: unrevoked and unexpired,
 * its service account live, and its provider enabled with that account attached.
 */
export async function resolveTokenByHash(
  source: DbSource,
  keyHash: string,
  now: string,
): Promise<ResolvedToken | undefined> {
  const row = await dbOf(source)
    .selectFrom('oidc_tokens as t')
    .innerJoin('services as s', 's.id', 't.service_id')
    .innerJoin('orgs as o', 'o.id', 's.org_id')
    .innerJoin('oidc_providers as p', 'p.id', 't.provider_id')
    .innerJoin('oidc_provider_services as ps', (join) =>
      join.onRef('ps.provider_id', '=', 'p.id').onRef('ps.service_id', '=', 's.id'),
    )
    .select([
      't.id as token_id',
      't.expires_at',
      't.identity',
      's.id as service_id',
      's.slug as service_slug',
      's.name',
      's.role',
      'o.id as org_id',
      'o.slug as org_slug',
    ])
    .where('t.key_hash', '=', keyHash)
    .where('t.revoked_at', 'is', null)
    .where('t.expires_at', '>', now)
    .where('s.deleted_at', 'is', null)
    .where('p.enabled', '=', 1)
    .whereRef('t.org_id', '=', 's.org_id')
    .executeTakeFirst();
  return row && { ...row, identity: JSON.parse(row.identity) as StoredIdentity };
}

/** Deletes tokens that expired before `before`; returns how many went. */
export async function deleteTokensExpiredBefore(source: DbSource, before: string): Promise<number> {
  const result = await dbOf(source)
    .deleteFrom('oidc_tokens')
    .where('expires_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** How many tokens an organisation's accounts were issued. */
export async function countTokens(source: DbSource, orgId: string): Promise<number> {
  const { count } = await dbOf(source)
    .selectFrom('oidc_tokens')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(count);
}

/** One page of an organisation's tokens, newest first. */
export async function listTokenPage(
  source: DbSource,
  orgId: string,
  window: PageWindow,
): Promise<TokenListing[]> {
  const rows = await dbOf(source)
    .selectFrom('oidc_tokens as t')
    .innerJoin('services as s', 's.id', 't.service_id')
    .select(['t.id', 's.slug', 't.provider_id', 't.identity', 't.created_at', 't.expires_at', 't.revoked_at'])
    .where('t.org_id', '=', orgId)
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id')
    .limit(window.size)
    .offset(window.offset)
    .execute();
  return rows.map((r) => ({ ...r, identity: JSON.parse(r.identity) as StoredIdentity }));
}

/** One token of an organisation, with its account's slug, or undefined. */
export async function findOrgToken(
  source: DbSource,
  orgId: string,
  tokenId: string,
): Promise<{ id: string; revoked_at: string | null; subject: string; slug: string } | undefined> {
  return dbOf(source)
    .selectFrom('oidc_tokens as t')
    .innerJoin('services as s', 's.id', 't.service_id')
    .select(['t.id', 't.revoked_at', 't.subject', 's.slug'])
    .where('t.org_id', '=', orgId)
    .where('t.id', '=', tokenId)
    .executeTakeFirst();
}
