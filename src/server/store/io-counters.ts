/**
 * What the store asks of the disk and the database, counted as it happens, for the metrics
 * endpoint and the benchmarks (statements and syncs per publish). The counts belong to the
 * process, as the drivers they are taken in do: several services in one process share them.
 */

/** Running totals since the process started. */
export interface IoCounts {
  /** SQL statements run on SQLite connections (transaction control and pragmas included). */
  statements: number;
  /** SQLite commits that synced the log themselves (`synchronous = full`: one sync each). */
  syncedCommits: number;
  /** SQLite commits of group commits, whose rows reach the disk with a shared log sync. */
  groupCommits: number;
  /** Shared syncs of an SQLite write-ahead log (one covers every group commit before it). */
  logSyncs: number;
  /** Syncs of blob files and the directories that name them. */
  fileSyncs: number;
}

/** The totals; the store increments them, readers only read. */
export const ioCounts: IoCounts = {
  statements: 0,
  syncedCommits: 0,
  groupCommits: 0,
  logSyncs: 0,
  fileSyncs: 0,
};
