import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { type Budget, readBounded } from './budget.js';
import {
  type ArchiveKind,
  archiveKindOfName,
  checkEntryPath,
  classifyEntry,
  type PackageKind,
  packageKindOfNested,
} from './classify.js';
import type { ComponentCollector } from './collector.js';
import type { ArchiveEntry } from './entries.js';
import { readManifest } from './parsers/index.js';
import { ExtractFailure, messageOf } from './types.js';
import { walkTar } from './walk-tar.js';
import { openZipBuffer, openZipFile, walkZip } from './walk-zip.js';

/** Where an archive's bytes come from: the artifact on disk, a nested zip in memory, or a nested tar stream. */
export type ArchiveSource = { path: string } | { buffer: Buffer } | { stream: Readable };

/** One archive to scan: its layout, its bytes, the location prefix of what it holds, and its nesting depth. */
export interface ArchiveJob {
  kind: ArchiveKind;
  source: ArchiveSource;
  /** `pkg.tgz`, or `bundle.zip!inner/pkg.tgz` for a nested one. */
  label: string;
  packageKind: PackageKind;
  depth: number;
}

/** Shared state of one extraction. */
export interface ScanState {
  budget: Budget;
  collector: ComponentCollector;
}

const REFUSED_TYPES: Readonly<Record<string, string>> = {
  symlink: 'is a symbolic link',
  hardlink: 'is a hard link',
  other: 'is a device, FIFO or other special file',
};

/**
 * Scans one archive, and the archives inside it up to the depth limit, feeding every manifest
 * it recognises to the collector. Throws ExtractFailure for anything unsafe or unreadable.
 */
export async function scanArchive(job: ArchiveJob, state: ScanState): Promise<void> {
  const visit = (entry: ArchiveEntry): Promise<void> => visitEntry(entry, job, state);
  try {
    if (job.kind === 'zip') {
      const zip =
        'path' in job.source ? await openZipFile(job.source.path) : await openZipBuffer(bufferOf(job));
      await walkZip(zip, job.label, state.budget, visit);
    } else {
      const stream = 'stream' in job.source ? job.source.stream : streamOf(job);
      await walkTar(stream, job.kind === 'tgz', job.label, state.budget, visit);
    }
  } catch (error) {
    if (error instanceof ExtractFailure) throw error;
    throw new ExtractFailure(`${job.label}: corrupt or truncated ${job.kind} archive (${messageOf(error)}).`);
  }
}

function bufferOf(job: ArchiveJob): Buffer {
  if ('buffer' in job.source) return job.source.buffer;
  throw new Error('a nested zip is scanned from memory');
}

function streamOf(job: ArchiveJob): Readable {
  if ('path' in job.source) return fs.createReadStream(job.source.path);
  if ('buffer' in job.source) throw new Error('a nested tar is scanned as a stream');
  return job.source.stream;
}

async function visitEntry(entry: ArchiveEntry, job: ArchiveJob, state: ScanState): Promise<void> {
  const path = checkEntryPath(entry.name, job.label);
  const refused = REFUSED_TYPES[entry.type];
  if (refused)
    throw new ExtractFailure(`${job.label}: entry "${path}" ${refused}; such archives are refused.`);
  if (entry.type === 'directory') return;
  const location = `${job.label}!${path}`;
  const { limits } = state.budget;
  const manifest = classifyEntry(path, job.packageKind);
  if (manifest) {
    const bytes = await readBounded(await entry.open(), limits.maxEntryBytes, location);
    state.budget.addManifestBytes(bytes.length);
    state.collector.addManifest(readManifest(manifest, bytes, location));
    return;
  }
  const nested = archiveKindOfName(path);
  if (!nested) return;
  if (job.depth + 1 > limits.maxDepth)
    throw new ExtractFailure(`${location}: archives nested more than ${limits.maxDepth} deep (maxDepth).`);
  const content = await entry.open();
  // yauzl needs random access, so a nested zip is held in memory (bounded); a tar streams through.
  const source: ArchiveSource =
    nested === 'zip'
      ? { buffer: await readBounded(content, limits.maxEntryBytes, location) }
      : { stream: content };
  await scanArchive(
    { kind: nested, source, label: location, packageKind: packageKindOfNested(path), depth: job.depth + 1 },
    state,
  );
}
