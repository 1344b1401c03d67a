import type { RepositoryClient } from '../client/client.js';
import { realSleep } from '../client/retry.js';
import type { Package } from '../client/types.js';
import type { ScanStatus } from '../policy/findings.js';
import type { Runtime } from '../runtime/runtime.js';
import type { StepDeps } from './connect.js';
import { describePushed, type PushedPackage } from './types.js';

/** Longest single long-poll: short enough that proxies keep the request open. */
const MAX_POLL_SEC = 30;
/** A long-poll that answers faster than this did not wait: pause before asking again. */
const MIN_POLL_MS = 1000;
/** Longest pause between two polls of a server that does not long-poll. */
const MAX_PAUSE_MS = 5000;

/** `security_scan_status` values that mean the scan is over, and what they mean for the gate. */
const FINISHED: Record<string, Exclude<ScanStatus, 'timeout'>> = {
  'Scan Detected Vulnerabilities': 'complete',
  'Scan Detected No Vulnerabilities': 'complete',
  'Security Scanning Failed': 'error',
  'Security Scanning Not Supported': 'not_supported',
  'Security Scanning Disabled': 'not_supported',
  'Security Scanning Skipped': 'not_supported',
};

/** How the wait for one package's scan ended. */
export interface ScanWait {
  package: PushedPackage;
  /** The package as last read (absent when it could not be read at all). */
  latest?: Package;
  status: ScanStatus;
  /** The repository's `security_scan_status` at the end. */
  securityScanStatus: string;
  /** What went wrong, for a failed sync or scan. */
  detail?: string;
  waitedMs: number;
}

/** Where the packages are and how long to wait. */
export interface WaitOptions {
  owner: string;
  repo: string;
  /** Longest wait for all scans, in seconds. */
  timeoutSec: number;
}

/** The gate's view of a package's scan: finished (and how), or still pending (null). */
export function scanOutcome(
  pkg: Package,
): { status: Exclude<ScanStatus, 'timeout'>; detail?: string } | null {
  if (pkg.is_sync_failed) {
    return {
      status: 'error',
      detail: `the package failed to synchronise: ${pkg.status_reason || pkg.status_str}`,
    };
  }
  const finished = FINISHED[pkg.security_scan_status];
  if (!finished) return null;
  return finished === 'error' ? { status: finished, detail: pkg.security_scan_status } : { status: finished };
}

async function waitForOne(
  runtime: Runtime,
  client: RepositoryClient,
  item: PushedPackage,
  options: WaitOptions,
  deadline: number,
  deps: StepDeps,
): Promise<ScanWait> {
  const now = deps.now ?? Date.now;
  const sleep = deps.timing?.sleep ?? realSleep;
  const started = now();
  const label = describePushed(item);
  let pkg = await client.getPackage(options.owner, options.repo, item.slug_perm);
  let lastStatus = pkg.security_scan_status;
  let pause = MIN_POLL_MS;
  runtime.info(`Waiting for the scan of ${label} (${lastStatus}).`);
  for (;;) {
    const outcome = scanOutcome(pkg);
    if (outcome) {
      const waitedMs = now() - started;
      runtime.info(
        `Scan of ${label}: ${pkg.security_scan_status} (after ${(waitedMs / 1000).toFixed(1)} s).`,
      );
      return {
        package: item,
        latest: pkg,
        ...outcome,
        securityScanStatus: pkg.security_scan_status,
        waitedMs,
      };
    }
    const left = deadline - now();
    if (left <= 0) {
      return {
        package: item,
        latest: pkg,
        status: 'timeout',
        securityScanStatus: pkg.security_scan_status,
        detail: `still "${pkg.security_scan_status}" after ${Math.round((now() - started) / 1000)} s`,
        waitedMs: now() - started,
      };
    }
    const asked = now();
    await client.getPackageStatus(options.owner, options.repo, item.slug_perm, {
      wait: Math.max(1, Math.min(MAX_POLL_SEC, Math.ceil(left / 1000))),
    });
    pkg = await client.getPackage(options.owner, options.repo, item.slug_perm);
    if (pkg.security_scan_status !== lastStatus && !scanOutcome(pkg)) {
      lastStatus = pkg.security_scan_status;
      runtime.info(`Scan of ${label}: ${lastStatus}.`);
    }
    // An answer that came at once with the scan still pending means the server does not long-poll.
    if (!scanOutcome(pkg) && now() - asked < MIN_POLL_MS) {
      await sleep(Math.min(pause, Math.max(0, deadline - now())));
      pause = Math.min(MAX_PAUSE_MS, pause * 2);
    }
  }
}

/**
 * Waits, all packages at once and bounded by `timeoutSec`, for the repository to finish
 * scanning them: long-polls `GET …/status/?wait=` (which answers early when the scan finishes)
 * and reads `security_scan_status`, pausing between polls of a server that answers at once.
 * A scan still running at the deadline ends as `timeout`; a failed scan or sync as `error`.
 */
export async function waitForScans(
  runtime: Runtime,
  client: RepositoryClient,
  packages: readonly PushedPackage[],
  options: WaitOptions,
  deps: StepDeps = {},
): Promise<ScanWait[]> {
  const deadline = (deps.now ?? Date.now)() + options.timeoutSec * 1000;
  return Promise.all(packages.map((item) => waitForOne(runtime, client, item, options, deadline, deps)));
}
