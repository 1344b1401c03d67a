import { sql } from 'kysely';
import { dbOf, type DbSource } from './source.js';

/** Jobs waiting and running, per kind, and how long the oldest due one has waited. */
export interface JobBacklog {
  kind: string;
  queued: number;
  running: number;
  /** Seconds since the oldest queued job became due; 0 when none is due yet. */
  oldestDueSeconds: number;
}

/** The job backlog at `now`, read at scrape time so every replica reports the shared queue. */
export async function jobBacklog(source: DbSource, now: Date): Promise<JobBacklog[]> {
  const rows = await dbOf(source)
    .selectFrom('jobs')
    .select(['kind', 'status'])
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('run_at').as('oldest')])
    .where('status', 'in', ['queued', 'running'])
    .groupBy(['kind', 'status'])
    .execute();
  const byKind = new Map<string, JobBacklog>();
  for (const row of rows) {
    const entry = byKind.get(row.kind) ?? { kind: row.kind, queued: 0, running: 0, oldestDueSeconds: 0 };
    if (row.status === 'running') entry.running = Number(row.count);
    else {
      entry.queued = Number(row.count);
      const oldest = Date.parse(String(row.oldest));
      if (Number.isFinite(oldest)) entry.oldestDueSeconds = Math.max(0, (now.getTime() - oldest) / 1000);
    }
    byKind.set(row.kind, entry);
  }
  return [...byKind.values()];
}

/** When each ecosystem's advisory data was last refreshed (null: never). */
export async function advisoryFeedTimes(
  source: DbSource,
): Promise<{ ecosystem: string; updatedAt: string | null }[]> {
  const rows = await dbOf(source).selectFrom('advisory_feeds').select(['ecosystem', 'updated_at']).execute();
  return rows.map((row) => ({ ecosystem: row.ecosystem, updatedAt: row.updated_at }));
}

/** How long the latest scan of a package took, and how it ended; undefined when it has none. */
export async function latestScanTiming(
  source: DbSource,
  packageId: string,
): Promise<{ outcome: string; seconds: number } | undefined> {
  const row = await dbOf(source)
    .selectFrom('scans')
    .select(['outcome', 'started_at', 'completed_at'])
    .where('package_id', '=', packageId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  const seconds = (Date.parse(row.completed_at) - Date.parse(row.started_at)) / 1000;
  return { outcome: row.outcome, seconds: Number.isFinite(seconds) ? Math.max(0, seconds) : 0 };
}

/** Throws unless the database answers a trivial query. */
export async function pingDatabase(source: DbSource): Promise<void> {
  await sql`select 1`.execute(dbOf(source));
}
