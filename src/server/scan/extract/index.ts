import fs from 'node:fs/promises';
import { Budget } from './budget.js';
import { classifyName, packageKindOfArtifact } from './classify.js';
import { ComponentCollector } from './collector.js';
import { readManifest, sniffManifest } from './parsers/index.js';
import { scanArchive } from './scanner.js';
import { sniffArchive } from './sniff.js';
import {
  DEFAULT_EXTRACT_LIMITS,
  ExtractFailure,
  type ExtractInput,
  ScanLimitReached,
  type ExtractLimits,
  type ExtractResult,
  messageOf,
} from './types.js';

export type {
  Component,
  Ecosystem,
  ExtractInput,
  ExtractLimits,
  ExtractResult,
  ScanLimitOutcome,
} from './types.js';
export { DEFAULT_EXTRACT_LIMITS } from './types.js';

const HEAD_BYTES = 4096;

/**
 * Lists the third-party components inside an artifact: the package itself (npm tarball, wheel,
 * sdist, crate), the lockfiles, pinned requirement files and SBOMs it carries, and bundled
 * node_modules — or the artifact may itself be one of those files. Archives are read as
 * streams, never unpacked to disk, within `limits` (merged over {@link DEFAULT_EXTRACT_LIMITS}).
 *
 * Never throws: an unsafe, corrupt or over-limit artifact is `failed`, and one that holds no
 * file this module understands is `not_supported`. The scan limits (`maxComponents`,
 * `maxManifestBytes`, `maxComponentEntries`) do not fail it: the result is `ok` with what was
 * found before the limit, and `limit` says which limit stopped it and what was left out.
 */
export async function extractComponents(
  input: ExtractInput,
  limits: Partial<ExtractLimits> = {},
): Promise<ExtractResult> {
  const merged = { ...DEFAULT_EXTRACT_LIMITS, ...limits };
  const budget = new Budget(merged);
  const collector = new ComponentCollector(merged);
  try {
    const archive = sniffArchive(await readHead(input.path), input.filename);
    if (archive) {
      const packageKind = packageKindOfArtifact(input.format, input.filename);
      const job = {
        kind: archive,
        source: { path: input.path },
        label: input.filename,
        packageKind,
        depth: 1,
      };
      await scanArchive(job, { budget, collector });
      if (collector.manifests === 0)
        return notSupported(
          `${input.filename}: holds no package metadata, lockfile, requirements file or SBOM.`,
        );
    } else if (!(await readStandalone(input, budget, collector))) {
      return notSupported(
        `${input.filename}: not an archive, lockfile, requirements file or SBOM this scanner reads.`,
      );
    }
    return okResult(collector);
  } catch (error) {
    if (error instanceof ScanLimitReached) return okResult(collector, error.limit);
    if (error instanceof ExtractFailure) return { status: 'failed', reason: error.message };
    return { status: 'failed', reason: `${input.filename}: could not be read (${messageOf(error)}).` };
  }
}

function okResult(collector: ComponentCollector, stoppedBy?: string): ExtractResult {
  const limit = collector.limitOutcome(stoppedBy);
  return limit
    ? { status: 'ok', components: collector.components(), limit }
    : { status: 'ok', components: collector.components() };
}

function notSupported(reason: string): ExtractResult {
  return { status: 'not_supported', reason };
}

async function readHead(path: string): Promise<Buffer> {
  const file = await fs.open(path, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await file.read(head, 0, HEAD_BYTES, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** A manifest pushed on its own: known by its name, or else by its content. Returns false when it is neither. */
async function readStandalone(
  input: ExtractInput,
  budget: Budget,
  collector: ComponentCollector,
): Promise<boolean> {
  const named = classifyName(input.filename);
  const { size } = await fs.stat(input.path);
  if (size > budget.limits.maxEntryBytes) {
    if (!named) return false;
    throw new ExtractFailure(
      `${input.filename}: ${size} bytes, larger than the ${budget.limits.maxEntryBytes} allowed (maxEntryBytes).`,
    );
  }
  const bytes = await fs.readFile(input.path);
  const kind = named ?? sniffManifest(bytes, input.filename);
  if (!kind) return false;
  budget.addManifestBytes(bytes.length);
  collector.addManifest(readManifest(kind, bytes, input.filename));
  return true;
}
