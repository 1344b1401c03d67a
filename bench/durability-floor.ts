import fs from 'node:fs';
import path from 'node:path';

/** How many durable writes the floor is the median of. */
const SAMPLES = 31;
/** The size of each written file: a small package's bytes. */
const FILE_BYTES = 16 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * The durability floor of a publish on the disk under `dir`, in milliseconds: the median time of
 * what a publish that answers only once it is durable cannot skip — a small file written and its
 * data synced, renamed to its final name, and the directory that names it synced. Measured in
 * the benchmark's own run, so it sees the same disk and the same load as the servers beside it.
 */
export function durabilityFloorMs(dir: string): number {
  const at = fs.mkdtempSync(path.join(dir, 'durability-floor-'));
  const bytes = Buffer.alloc(FILE_BYTES, 7);
  const times: number[] = [];
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const staged = path.join(at, `staged-${i}`);
      const started = process.hrtime.bigint();
      const fd = fs.openSync(staged, 'w');
      try {
        fs.writeSync(fd, bytes);
        fs.fdatasyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(staged, path.join(at, `final-${i}`));
      const dirFd = fs.openSync(at, 'r');
      try {
        fs.fsyncSync(dirFd);
      } finally {
        fs.closeSync(dirFd);
      }
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  } finally {
    fs.rmSync(at, { recursive: true, force: true });
  }
  return median(times);
}

/**
 * One line comparing publish times to the durability floor: each server's time per publish, and
 * its time above `floorMs` (the client's own time per publish, when known, plus the durable
 * write a publish cannot skip).
 */
export function floorLine(
  label: string,
  durableMs: number,
  perPublishMs: Record<string, number | null>,
  clientMs = 0,
): string {
  const floor = clientMs + durableMs;
  const parts = Object.entries(perPublishMs)
    .filter((entry): entry is [string, number] => entry[1] !== null)
    .map(([name, ms]) => `${name} ${ms.toFixed(1)} ms (${(ms - floor).toFixed(1)} ms above)`);
  const client = clientMs > 0 ? `client ${clientMs.toFixed(1)} ms + ` : '';
  return `${label}: durable write on this disk ${durableMs.toFixed(2)} ms (median of ${SAMPLES}); per publish over a floor of ${client}that: ${parts.join(', ')}`;
}
