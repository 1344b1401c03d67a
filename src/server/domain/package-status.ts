import type { PackageStatus as PackageStatusView, SecurityScanStatus } from '../../api/packages.js';
import type { PackagesTable } from '../store/schema.js';

/**
 * Airlock's package status numbers (Cloudsmith's full table is undocumented; 4 "Completed" and
 * the "Quarantined" label are the known pairs). docs/packages.md publishes this table.
 */
export const PACKAGE_STATUS = {
  awaiting: 1,
  inProgress: 2,
  failed: 3,
  completed: 4,
  quarantined: 5,
  deleted: 6,
  cancelled: 7,
  awaitingResync: 8,
} as const;

/** Labels of {@link PACKAGE_STATUS}, by number. */
export const PACKAGE_STATUS_LABELS: Record<number, string> = {
  1: 'Awaiting Synchronisation',
  2: 'Sync In Progress',
  3: 'Failed',
  4: 'Completed',
  5: 'Quarantined',
  6: 'Deleted',
  7: 'Cancelled',
  8: 'Awaiting Resynchronisation',
};

/** Airlock's sync stage numbers (stage 9 "Fully Synchronised" is Cloudsmith's known pair). */
export const PACKAGE_STAGE = {
  pending: 0,
  uploaded: 1,
  validating: 2,
  extractingMetadata: 3,
  checkingDuplicates: 4,
  storing: 5,
  indexing: 6,
  generatingMetadata: 7,
  synchronising: 8,
  fullySynchronised: 9,
  syncFailed: 10,
  awaitingResync: 11,
  cancelled: 12,
} as const;

/** Labels of {@link PACKAGE_STAGE}, by number. */
export const PACKAGE_STAGE_LABELS: Record<number, string> = {
  0: 'Pending',
  1: 'Uploaded',
  2: 'Validating',
  3: 'Extracting Metadata',
  4: 'Checking for Duplicates',
  5: 'Storing',
  6: 'Indexing',
  7: 'Generating Metadata',
  8: 'Synchronising',
  9: 'Fully Synchronised',
  10: 'Synchronisation Failed',
  11: 'Awaiting Resynchronisation',
  12: 'Cancelled',
};

/**
 * Names the list search accepts after `status:` (lower case, spaces as underscores), with
 * `in_progress` and `awaiting` as the short forms Cloudsmith's examples use.
 */
export const STATUS_SEARCH_NAMES: Record<string, number> = {
  awaiting: PACKAGE_STATUS.awaiting,
  awaiting_synchronisation: PACKAGE_STATUS.awaiting,
  in_progress: PACKAGE_STATUS.inProgress,
  sync_in_progress: PACKAGE_STATUS.inProgress,
  failed: PACKAGE_STATUS.failed,
  completed: PACKAGE_STATUS.completed,
  quarantined: PACKAGE_STATUS.quarantined,
  cancelled: PACKAGE_STATUS.cancelled,
  awaiting_resynchronisation: PACKAGE_STATUS.awaitingResync,
};

/** The security scan status every new (or rescanned) package starts with. */
export const AWAITING_SCAN = 'Awaiting Security Scan';

/** Names the list search accepts after `scan:`, for each `security_scan_status`. */
export const SCAN_SEARCH_NAMES: Record<string, SecurityScanStatus> = {
  awaiting: 'Awaiting Security Scan',
  in_progress: 'Security Scanning in Progress',
  vulnerable: 'Scan Detected Vulnerabilities',
  clean: 'Scan Detected No Vulnerabilities',
  failed: 'Security Scanning Failed',
  not_supported: 'Security Scanning Not Supported',
  disabled: 'Security Scanning Disabled',
  skipped: 'Security Scanning Skipped',
};

/** Names the list search accepts after `severity:` (the latest scan's highest); `none`: it found nothing. */
export const SEVERITY_SEARCH_NAMES: Record<string, string | null> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  unknown: 'Unknown',
  none: null,
};

/** The row fields the sync state and capabilities are derived from. */
export type StatusRow = Pick<
  PackagesTable,
  | 'status'
  | 'stage'
  | 'status_reason'
  | 'status_updated_at'
  | 'stage_updated_at'
  | 'sync_finished_at'
  | 'is_quarantined'
>;

/** The status/stage fields and capability flags of a package row, minus `self_url`. */
export function describeStatus(
  row: StatusRow,
): Omit<
  PackageStatusView,
  'self_url' | 'security_scan_status' | 'security_scan_completed_at' | 'policy_violated'
> {
  const quarantined = row.is_quarantined === 1;
  const synced = row.stage === PACKAGE_STAGE.fullySynchronised;
  const awaiting = row.status === PACKAGE_STATUS.awaiting || row.status === PACKAGE_STATUS.awaitingResync;
  const inProgress = row.status === PACKAGE_STATUS.inProgress;
  const failed = row.status === PACKAGE_STATUS.failed;
  return {
    status: row.status,
    status_str: PACKAGE_STATUS_LABELS[row.status] ?? `Status ${row.status}`,
    status_reason: row.status_reason,
    status_updated_at: row.status_updated_at,
    stage: row.stage,
    stage_str: PACKAGE_STAGE_LABELS[row.stage] ?? `Stage ${row.stage}`,
    stage_updated_at: row.stage_updated_at,
    sync_progress: synced ? 100 : 0,
    sync_finished_at: row.sync_finished_at,
    is_sync_awaiting: awaiting,
    is_sync_in_progress: inProgress,
    is_sync_in_flight: awaiting || inProgress,
    is_sync_completed: synced,
    is_sync_failed: failed,
    is_quarantined: quarantined,
    is_quarantinable: true,
    is_copyable: synced && !quarantined,
    is_moveable: synced && !quarantined,
    is_deleteable: true,
    is_resyncable: true,
    // Sync happens inside the create request, so there is never a sync left to cancel.
    is_cancellable: false,
    is_downloadable: synced && !quarantined,
    is_security_scannable: true,
  };
}

/** The column values of a package whose synchronisation has just completed. */
export function completedSync(
  at: string,
): Pick<
  PackagesTable,
  'status' | 'stage' | 'status_reason' | 'status_updated_at' | 'stage_updated_at' | 'sync_finished_at'
> {
  return {
    status: PACKAGE_STATUS.completed,
    stage: PACKAGE_STAGE.fullySynchronised,
    status_reason: '',
    status_updated_at: at,
    stage_updated_at: at,
    sync_finished_at: at,
  };
}
