import type { Kysely } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as core from './0001-core.js';
import * as advisories from './0002-advisories.js';
import * as oidc from './0003-oidc.js';
import * as jobs from './0004-jobs.js';
import * as webhooks from './0005-webhooks.js';
import * as policies from './0006-policies.js';
import * as scans from './0007-scans.js';
import * as advisoryFeeds from './0008-advisory-feeds.js';
import * as scanCoverage from './0009-scan-coverage.js';
import * as promotionRules from './0010-promotion-rules.js';
import * as advisorySync from './0013-advisory-sync.js';
import * as uploadLeases from './0014-upload-leases.js';
import * as jobLeases from './0015-job-leases.js';
import * as npmDeprecations from './0016-npm-deprecations.js';
import * as upstreams from './0017-upstreams.js';
import * as users from './0018-users.js';
import * as pythonFiles from './0019-python-files.js';
import * as webSessions from './0020-web-sessions.js';
import * as upstreamDocumentDigests from './0022-upstream-document-digests.js';

/**
 * Every migration, in order. Names are stable: a database records which ones ran.
 * Add a file `NNNN-name.ts` exporting `up` and list it here.
 */
const MIGRATIONS: Record<string, { up(db: Kysely<unknown>): Promise<void> }> = {
  '0001-core': core,
  '0002-advisories': advisories,
  '0003-oidc': oidc,
  '0004-jobs': jobs,
  '0005-webhooks': webhooks,
  '0006-policies': policies,
  '0007-scans': scans,
  '0008-advisory-feeds': advisoryFeeds,
  '0009-scan-coverage': scanCoverage,
  '0010-promotion-rules': promotionRules,
  '0013-advisory-sync': advisorySync,
  '0014-upload-leases': uploadLeases,
  '0015-job-leases': jobLeases,
  '0016-npm-deprecations': npmDeprecations,
  '0017-upstreams': upstreams,
  '0018-users': users,
  '0019-python-files': pythonFiles,
  '0020-web-sessions': webSessions,
  '0022-upstream-document-digests': upstreamDocumentDigests,
};

/** Kysely migration provider over the statically imported migrations (works inside bundles too). */
export const migrationProvider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  },
};
