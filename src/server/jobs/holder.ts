import os from 'node:os';
import { newId } from '../domain/ids.js';

/**
 * A name for one holder of leases (a queue's worker, a scheduler): the host and process it runs
 * in, so an operator reading the `jobs` or `leases` table sees which replica holds what, and a
 * random part, so two services in one process (and a restarted process reusing a pid) differ.
 */
export function newHolderId(): string {
  return `${os.hostname()}:${process.pid}:${newId(6)}`;
}
