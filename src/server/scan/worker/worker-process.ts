import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The worker's entry file. Production runs the compiled module, so the entry is the sibling
 * `scan-worker.js`. Run from the TypeScript sources (as the test runner does), there is no such
 * sibling Node could start, so the compiled copy under `lib/` is used, which the build (and
 * the test setup) produce from the same sources.
 */
export function scanWorkerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const sibling = path.join(path.dirname(here), 'scan-worker.js');
  if (here.endsWith('.js')) return sibling;
  const root = path.resolve(path.dirname(here), '../../../..');
  return path.join(root, 'lib', path.relative(root, sibling));
}

/** The last bytes of a worker's stderr are kept: they say why V8 gave up, when it did. */
export const STDERR_TAIL = 4096;

/** Why a worker's scan ended with the worker: its memory allowance, or how it exited. */
export function describeDeath(
  code: number | null,
  signal: string | null,
  stderr: string,
  heapMb: number,
): string {
  if (/heap out of memory|Reached heap limit/i.test(stderr))
    return `the scan ran out of its memory allowance (${heapMb} MiB) and was stopped; the artifact's components were not evaluated.`;
  const how = signal ? `signal ${signal}` : `exit code ${code}`;
  return `the scan stopped unexpectedly (${how}); the artifact's components were not evaluated.`;
}
