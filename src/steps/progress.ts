import type { UploadProgress } from '../client/upload.js';

/** Bytes as a person reads them: `512 B`, `3.4 KiB`, `12.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Progress of several uploads, printed as one line at most every `intervalMs` (measured on the
 * injected clock as bytes arrive), so a long upload shows it is alive without flooding the log.
 */
export class ProgressBoard {
  private readonly files = new Map<string, UploadProgress>();
  private last: number;

  constructor(
    private readonly print: (line: string) => void,
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {
    this.last = now();
  }

  /** Records bytes sent for one file; prints the board when the interval has passed. */
  update(progress: UploadProgress): void {
    this.files.set(progress.filename, progress);
    const at = this.now();
    if (at - this.last < this.intervalMs) return;
    this.last = at;
    this.print(this.line());
  }

  /** Forgets a finished file, so the board shows only what is still moving. */
  finish(filename: string): void {
    this.files.delete(filename);
  }

  /** `Uploading: a.tgz 5.0 MiB of 20.0 MiB (25%); b.whl …` */
  line(): string {
    const parts = [...this.files.values()].map((p) => {
      const percent = p.totalBytes > 0 ? Math.floor((p.sentBytes / p.totalBytes) * 100) : 100;
      return `${p.filename} ${formatBytes(p.sentBytes)} of ${formatBytes(p.totalBytes)} (${percent}%)`;
    });
    return `Uploading: ${parts.join('; ')}`;
  }
}

/** Runs `task` over `items` with at most `limit` at a time; results keep the items' order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]!, index);
      } catch (err) {
        // Stop starting new work; the uploads already running finish or fail on their own.
        failed = true;
        throw err;
      }
    }
  };
  // Every worker is awaited, so nothing is still uploading when the first failure is reported.
  const settled = await Promise.allSettled(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker),
  );
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}
