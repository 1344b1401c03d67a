import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from '../config.js';
import type { BlobStore } from '../store/blobs.js';
import type { Db } from '../store/db.js';
import type { Clock } from './ids.js';
import type { Principal } from './access.js';
import type { ServiceMetrics } from './metrics.js';

/**
 * Turns a presented credential (API key or bearer token) into a principal, or returns null when
 * it does not recognise it. Service-account keys are one resolver; short-lived OIDC tokens another.
 */
export type CredentialResolver = (ctx: ServiceContext, credential: string) => Promise<Principal | null>;

/** Everything a domain service needs, built once by buildApp and passed down explicitly. */
export interface ServiceContext {
  readonly config: ServerConfig;
  readonly db: Db;
  readonly blobs: BlobStore;
  readonly clock: Clock;
  /** Server secret (hex): keys API-key hashes and signs upload URLs. */
  readonly secret: string;
  readonly log: FastifyBaseLogger;
  /** Base URL for links the service hands out; known once the server listens. */
  baseUrl: string;
  readonly resolvers: CredentialResolver[];
  /** Tasks run after a change commits (scan enqueue, webhooks); each gets the event and the package id. */
  readonly listeners: PackageEventListener[];
  readonly metrics?: ServiceMetrics;
}

/** Events a package goes through, as webhooks name them. */
export type PackageEvent =
  | 'package.created'
  | 'package.synced'
  | 'package.security_scanned'
  | 'package.quarantined'
  | 'package.released'
  | 'package.tags_updated'
  | 'package.deleted';

/** What the transaction that committed an event already did for its listeners. */
export interface CommittedWork {
  /** Kinds of job queued for the event in that same transaction (a listener need not queue them again). */
  jobsQueued?: readonly string[];
}

/** Called after a package event has committed. Must not throw (failures are logged by the caller). */
export type PackageEventListener = (
  event: PackageEvent,
  packageId: string,
  extra?: Record<string, unknown>,
  done?: CommittedWork,
) => Promise<void> | void;

/** Tells every listener about a committed package event; a failing listener is logged, never rethrown. */
export async function emitPackageEvent(
  ctx: ServiceContext,
  event: PackageEvent,
  packageId: string,
  extra?: Record<string, unknown>,
  done?: CommittedWork,
): Promise<void> {
  for (const listener of ctx.listeners) {
    try {
      await listener(event, packageId, extra, done);
    } catch (err) {
      ctx.log.error({ err, event, packageId }, 'package event listener failed');
    }
  }
}
