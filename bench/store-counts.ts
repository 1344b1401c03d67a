/** Statements, commits and syncs a running service reports on `/metrics` (loopback needs no token). */
export interface StoreCounts {
  statements: number;
  syncedCommits: number;
  groupCommits: number;
  logSyncs: number;
  blobSyncs: number;
}

function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Reads the service's store counters now. */
export async function readStoreCounts(baseUrl: string): Promise<StoreCounts> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (!res.ok) throw new Error(`GET ${baseUrl}/metrics: ${res.status}`);
  const text = await res.text();
  return {
    statements: sample(text, 'airlock_store_statements_total'),
    syncedCommits: sample(text, 'airlock_store_commits_total{sync="synced"}'),
    groupCommits: sample(text, 'airlock_store_commits_total{sync="group"}'),
    logSyncs: sample(text, 'airlock_store_syncs_total{what="log"}'),
    blobSyncs: sample(text, 'airlock_store_syncs_total{what="blob"}'),
  };
}

/**
 * What one operation cost on average between two readings: statements, syncs of the disk (a
 * synced commit syncs the log once; shared log syncs and blob syncs count as they happened).
 */
export function perOperation(before: StoreCounts, after: StoreCounts, operations: number): string {
  const d = (k: keyof StoreCounts) => (after[k] - before[k]) / operations;
  const syncs = d('syncedCommits') + d('logSyncs') + d('blobSyncs');
  return (
    `${d('statements').toFixed(1)} statements, ${syncs.toFixed(2)} syncs ` +
    `(${d('syncedCommits').toFixed(2)} synced commits, ${d('logSyncs').toFixed(2)} shared log syncs for ` +
    `${d('groupCommits').toFixed(2)} group commits, ${d('blobSyncs').toFixed(2)} blob file and directory syncs)`
  );
}
