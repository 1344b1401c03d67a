import v8 from 'node:v8';
import vm from 'node:vm';

/** Bytes of network buffers between two young-generation collections during uploads. */
const COLLECT_EVERY = 8 * 1024 * 1024;

let collectYoung: (() => void) | null = null;
let sinceCollection = 0;

/**
 * Keeps V8's young generation at its starting size (two 1 MiB semi-spaces) for the life of the
 * process, and lets {@link noteSpentBuffers} run young-generation collections. Call it before
 * anything else loads; a process that does not call it (tests) keeps V8's defaults.
 *
 * V8 doubles the young generation each time the objects surviving its collections add up to its
 * size, up to two 16 MiB semi-spaces, and gives the memory back only on a memory-reducing full
 * collection, which an idle service never triggers. Loading the service's modules alone grows it
 * to the maximum: 30 MiB of the idle resident set that held nothing. The service's garbage is
 * short-lived (a request's objects, an upload's chunks), so small semi-spaces cost little time.
 * A growth factor of 1 is only honoured when set after V8 has configured its heap (V8 raises a
 * command-line value below 2), hence at run time; a V8 that ignored it would merely use the
 * memory it did before.
 */
export function holdYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  // V8 installs `gc` only in contexts created while --expose-gc is set: one context gets it, the
  // service's own global never does, and the flag is cleared again at once.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as ((options: { type: 'minor' }) => void) | undefined;
  v8.setFlagsFromString('--no-expose-gc');
  collectYoung = typeof gc === 'function' ? () => gc({ type: 'minor' }) : null;
}

/**
 * Counts bytes of network buffers an upload has finished with, and every 8 MiB runs a
 * young-generation collection (a fraction of a millisecond with small semi-spaces).
 *
 * Each chunk of a request body is a fresh buffer outside V8's heap. V8 starts a collection by
 * the JavaScript objects allocated, not by these bytes, so without help an upload's spent chunks
 * pile up to the external-memory limit (64 MiB) before a collection frees them: that, not the
 * bytes in flight, was most of an upload's resident memory.
 */
export function noteSpentBuffers(bytes: number): void {
  if (!collectYoung) return;
  sinceCollection += bytes;
  if (sinceCollection < COLLECT_EVERY) return;
  sinceCollection = 0;
  collectYoung();
}
