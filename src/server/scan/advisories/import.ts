import path from 'node:path';
import { systemClock, type Clock } from '../../domain/ids.js';
import type { Db } from '../../store/db.js';
import { normalizeEcosystem } from '../versions/index.js';
import { parseOsvAdvisory, type OsvAdvisory } from './osv.js';
import { readOsvDocuments, type OsvSourceDocument } from './sources.js';
import {
  advisoryToRows,
  digestText,
  loadStoredPackages,
  loadStoredVersions,
  writeAdvisories,
  type AdvisoryRows,
  type PackageRef,
} from './store.js';

/** Options of {@link importAdvisories}. */
export interface ImportOptions {
  /** Documents written per transaction (default 1000). */
  batchSize?: number;
  clock?: Clock;
  /** Label stored with each advisory (default: the path's last two segments, e.g. `PyPI/all.zip`). */
  sourceLabel?: string;
  /** Stops the import between batches (a service shutting down); what was written stays. */
  signal?: AbortSignal;
}

/** A document that could not be imported, and why. */
export interface ImportProblem {
  file: string;
  reason: string;
}

/** What one import did. */
export interface ImportResult {
  source: string;
  /** Documents read. */
  documents: number;
  /** Ids of advisories that were new. */
  added: string[];
  /** Ids of advisories whose stored rows were replaced. */
  changed: string[];
  /** Documents identical to what is stored (same `modified`, same content), or older than it. */
  skipped: number;
  /** Of `skipped`: documents whose `modified` is older than the stored one (an older archive). */
  stale: number;
  /** Of `added` and `changed`: advisories that are withdrawn (they no longer match anything). */
  withdrawn: number;
  invalid: ImportProblem[];
  /** Every (ecosystem, package) an added or changed advisory names, before or after the change. */
  touched: PackageRef[];
  /** The ecosystems (OSV spelling) the valid documents name, sorted. */
  ecosystems: string[];
  durationMs: number;
}

interface Parsed {
  doc: OsvAdvisory;
  digest: string;
}

function olderThan(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isFinite(ta) && Number.isFinite(tb) && ta < tb;
}

function defaultLabel(source: string): string {
  const resolved = path.resolve(source);
  return path.join(path.basename(path.dirname(resolved)), path.basename(resolved));
}

/**
 * Imports OSV advisories from an ecosystem's `all.zip`, a folder of OSV `.json` files or one
 * `.json` file, reading one document at a time and writing `batchSize` documents per
 * transaction. Import is incremental: a document with the stored `modified` and the same
 * content is skipped (the content check matters for sources such as the Go database, which
 * leave `modified` unchanged); a changed advisory replaces all its rows; an older `modified`
 * than the stored one is skipped as stale. Invalid documents are reported, not fatal.
 */
export async function importAdvisories(
  db: Db,
  source: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const clock = options.clock ?? systemClock;
  const started = performance.now();
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  const label = options.sourceLabel ?? defaultLabel(source);
  const result: ImportResult = {
    source: label,
    documents: 0,
    added: [],
    changed: [],
    skipped: 0,
    stale: 0,
    withdrawn: 0,
    invalid: [],
    touched: [],
    ecosystems: [],
    durationMs: 0,
  };
  const ecosystems = new Set<string>();
  const touched = new Map<string, PackageRef>();
  const touch = (refs: PackageRef[]): void => {
    for (const ref of refs) touched.set(`${ref.ecosystem}\u0000${ref.name}`, ref);
  };

  const flush = async (batch: Map<string, Parsed>): Promise<void> => {
    const stored = await loadStoredVersions(db, [...batch.keys()]);
    const importedAt = clock().toISOString();
    const rows: AdvisoryRows[] = [];
    const replaced: string[] = [];
    for (const [id, { doc, digest }] of batch) {
      const before = stored.get(id);
      if (
        before &&
        (olderThan(doc.modified, before.modified) ||
          (before.modified === doc.modified && before.digest === digest))
      ) {
        result.skipped++;
        if (before.modified !== doc.modified) result.stale++;
        continue;
      }
      const row = advisoryToRows(doc, digest, label, importedAt);
      rows.push(row);
      if (doc.withdrawn) result.withdrawn++;
      touch(row.packages.map((p) => ({ ecosystem: p.ecosystem, name: p.name, nameKey: p.name_key })));
      if (before) {
        replaced.push(id);
        result.changed.push(id);
      } else {
        result.added.push(id);
      }
    }
    touch(await loadStoredPackages(db, replaced));
    await writeAdvisories(db, replaced, rows);
  };

  let batch = new Map<string, Parsed>();
  for await (const document of readOsvDocuments(source)) {
    result.documents++;
    const parsed = parseDocument(document, result.invalid);
    if (!parsed) continue;
    for (const affected of parsed.doc.affected ?? []) {
      if (affected.package) ecosystems.add(normalizeEcosystem(affected.package.ecosystem));
    }
    // A second copy of an id in one source: the later one wins and the earlier counts as skipped.
    if (batch.has(parsed.doc.id)) result.skipped++;
    batch.set(parsed.doc.id, parsed);
    if (batch.size >= batchSize) {
      options.signal?.throwIfAborted();
      await flush(batch);
      batch = new Map();
    }
  }
  options.signal?.throwIfAborted();
  if (batch.size > 0) await flush(batch);
  result.ecosystems = [...ecosystems].sort();
  result.touched = [...touched.values()];
  result.durationMs = performance.now() - started;
  return result;
}

function parseDocument(document: OsvSourceDocument, invalid: ImportProblem[]): Parsed | null {
  try {
    return { doc: parseOsvAdvisory(document.text), digest: digestText(document.text) };
  } catch (err) {
    invalid.push({ file: document.file, reason: err instanceof Error ? err.message : String(err) });
    return null;
  }
}
