import v8 from 'node:v8';

/**
 * Keeps V8's young generation at its starting size (two 1 MiB semi-spaces) for the life of the
 * process. Call it before anything else loads.
 *
 * V8 doubles the young generation each time the objects surviving its collections add up to its
 * size, up to two 16 MiB semi-spaces, and gives the memory back only on a memory-reducing full
 * collection, which an idle service never triggers. Loading the service's modules alone grows it
 * to the maximum: 30 MiB of the idle resident set that held nothing. The service's garbage is
 * short-lived (a request's objects, an upload's chunks), so small semi-spaces cost little time
 * and also return an upload's spent buffers sooner. A growth factor of 1 is only honoured when
 * set after V8 has configured its heap (V8 raises a command-line value below 2), hence at run
 * time; a V8 that ignored it would merely use the memory it did before.
 */
export function holdYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
