import { JobQueue } from '../jobs/queue.js';
import type { Db } from '../store/db.js';
import { packagesWithComponents } from '../store/scans.js';
import type { PackageRef } from './advisories/store.js';
import { SCAN_JOB } from './service.js';

/**
 * Queues a scan of every live package that contains a component the given advisories touch
 * (by ecosystem and folded name). The jobs go to the database queue, so a running service picks
 * them up even when the import ran in another process. Returns how many packages were queued.
 */
export async function enqueueRescans(db: Db, touched: PackageRef[], at: Date): Promise<number> {
  if (touched.length === 0) return 0;
  const byEcosystem = new Map<string, string[]>();
  for (const t of touched) byEcosystem.set(t.ecosystem, [...(byEcosystem.get(t.ecosystem) ?? []), t.nameKey]);
  const ids = new Set<string>();
  for (const [ecosystem, names] of byEcosystem) {
    for (const id of await packagesWithComponents({ db }, ecosystem, names)) ids.add(id);
  }
  const queue = new JobQueue(db);
  for (const id of ids) {
    await queue.enqueue(SCAN_JOB, { packageId: id }, at, { dedupeKey: `scan:${id}`, maxAttempts: 3 });
  }
  return ids.size;
}
