const UNITS = ['KB', 'MB', 'GB', 'TB', 'PB'];

/**
 * A byte count for people, as Cloudsmith's `size_str` shows it: whole bytes below 1 KiB
 * (`'6 bytes'`), else one decimal in the largest power-of-1024 unit that keeps it at least 1
 * (`'1.5 KB'`, `'100.0 MB'`).
 */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${bytes} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  // Compared after rounding, so that 1023.96 KB reads '1.0 MB' rather than '1024.0 KB'.
  while (Math.round(value * 10) / 10 >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}
