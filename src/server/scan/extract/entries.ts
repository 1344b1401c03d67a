import type { Readable } from 'node:stream';

/** What an archive entry is; links and special files are refused by the scanner. */
export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

/** One entry of an archive as the walkers present it, whatever the archive layout. */
export interface ArchiveEntry {
  /** The name as stored in the archive, not yet checked. */
  name: string;
  type: EntryType;
  /** Opens the entry's content (decompressed and counted against the budget); call at most once. */
  open(): Promise<Readable>;
}

/** Called for each entry in archive order; the walk waits for it and stops on the first throw. */
export type EntryVisitor = (entry: ArchiveEntry) => Promise<void>;
