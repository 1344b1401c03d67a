/** The advisory ecosystems a component can belong to, spelled as OSV spells them. */
export type Ecosystem = 'npm' | 'PyPI' | 'Go' | 'crates.io';

/** One third-party package found inside an artifact. */
export interface Component {
  ecosystem: Ecosystem;
  /** npm: the registry name (scoped as `@scope/name`); PyPI: PEP 503-normalised; Go: module path. */
  name: string;
  /** As the source writes it (Go versions keep their leading `v`). */
  version: string;
  /** Where it was found: `package-lock.json`, or `pkg.tgz!package/node_modules/x/package.json`. */
  location: string;
  /** True for a dependency the project declares itself, false for a transitive one; absent when the source cannot tell. */
  direct?: boolean;
}

/** What {@link extractComponents} is given: a file on disk, the name it was uploaded as, and its package format. */
export interface ExtractInput {
  path: string;
  filename: string;
  /** The repository package format (`npm`, `python`, `cargo`, `go`, `raw`, …). */
  format: string;
}

/** The outcome of an extraction. */
export type ExtractResult =
  | { status: 'ok'; components: Component[]; limit?: ScanLimitOutcome }
  | { status: 'not_supported'; reason: string }
  | { status: 'failed'; reason: string };

/** Bounds that keep a hostile artifact from costing more than a scan is worth. */
export interface ExtractLimits {
  /** Bytes inflated or read out of archives in total, across every nesting level. */
  maxTotalBytes: number;
  /** Bytes of one manifest or nested zip held in memory (also the size cap of a manifest pushed on its own). */
  maxEntryBytes: number;
  /** Inflated-to-compressed ratio of one zip entry, or of one gzip stream, once past `ratioGraceBytes`. */
  maxRatio: number;
  /** Inflated bytes allowed before `maxRatio` is enforced, so tiny highly compressible files pass. */
  ratioGraceBytes: number;
  /** Archive entries (files and directories) in total, across every nesting level. */
  maxEntries: number;
  /** Archives inside archives: the artifact itself is depth 1. */
  maxDepth: number;
  /** Distinct components kept per package; the rest are counted and reported as not evaluated. */
  maxComponents: number;
  /** Bytes of manifests, lockfiles and SBOMs parsed in total; parsing stops at the limit. */
  maxManifestBytes: number;
  /** Component entries read out of manifests in total (duplicates included); reading stops at the limit. */
  maxComponentEntries: number;
}

/**
 * How a scan limit cut an extraction short: which limit (as documented, e.g. "components per
 * package (100,000)"), how many further distinct components were seen but not kept (and of
 * which ecosystems), and the first few of them so a report can name them.
 */
export interface ScanLimitOutcome {
  reached: string;
  overflow: number;
  /** The overflow split by ecosystem (exact, like `overflow`). */
  overflowByEcosystem: Record<string, number>;
  sample: Component[];
}

/** The limits used when the caller gives none. */
export const DEFAULT_EXTRACT_LIMITS: Readonly<ExtractLimits> = Object.freeze({
  maxTotalBytes: 1024 * 1024 * 1024,
  maxEntryBytes: 64 * 1024 * 1024,
  maxRatio: 200,
  ratioGraceBytes: 1024 * 1024,
  maxEntries: 100_000,
  maxDepth: 4,
  maxComponents: 100_000,
  maxManifestBytes: 128 * 1024 * 1024,
  maxComponentEntries: 1_000_000,
});

/**
 * Raised inside the extractor when the artifact cannot be read safely or correctly; the entry
 * point turns it into a `failed` result with this message as the reason.
 */
export class ExtractFailure extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ExtractFailure';
  }
}

/**
 * Raised when a documented scan limit (components, manifest bytes, component entries) is
 * reached: unlike other failures the scan keeps what it found so far, and reports the rest as
 * not evaluated. A subclass of ExtractFailure so every archive walker lets it through unchanged.
 */
export class ScanLimitReached extends ExtractFailure {
  constructor(readonly limit: string) {
    super(`scan limit reached: ${limit}`);
    this.name = 'ScanLimitReached';
  }
}

/** The message of anything thrown; errors from Node internals may come from another realm, so no instanceof. */
export function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string')
    return error.message;
  return String(error);
}
