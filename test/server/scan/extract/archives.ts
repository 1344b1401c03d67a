import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import yazl from 'yazl';
import { extractComponents } from '../../../../src/server/scan/extract/index.js';
import type { Component, ExtractLimits, ExtractResult } from '../../../../src/server/scan/extract/index.js';

/** One archive entry to build: a file by default, or a directory, symlink or hard link. */
export interface EntrySpec {
  name: string;
  content?: string | Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
  /** Unix mode bits for zips (with the file type), e.g. 0o120777 for a symlink. */
  mode?: number;
}

/** Builds an uncompressed tar archive in memory. */
export async function makeTar(entries: EntrySpec[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    if (type === 'file') pack.entry({ name: entry.name, type }, entry.content ?? '');
    else pack.entry({ name: entry.name, type, linkname: entry.linkname });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Builds a gzip-compressed tar archive in memory. */
export async function makeTgz(entries: EntrySpec[]): Promise<Buffer> {
  return gzipSync(await makeTar(entries));
}

/** Builds a zip archive in memory (deflated entries). */
export async function makeZip(entries: EntrySpec[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    if (entry.type === 'directory') zip.addEmptyDirectory(entry.name);
    else zip.addBuffer(Buffer.from(entry.content ?? ''), entry.name, entry.mode ? { mode: entry.mode } : {});
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Renames entries in built archive bytes (local headers and central directory alike). Writers
 * refuse hostile names, so tests write a placeholder of the same length and swap it in.
 */
export function renameInArchive(bytes: Buffer, from: string, to: string): Buffer {
  if (from.length !== to.length) throw new Error('names must be the same length');
  const out = Buffer.from(bytes);
  const needle = Buffer.from(from);
  for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + 1)) out.write(to, at, 'latin1');
  return out;
}

/** A temporary directory for one test file's artifacts, removed by `cleanup`. */
export class Workspace {
  private dir: string | null = null;

  /** Writes an artifact under `filename` and returns its path. */
  async write(filename: string, content: string | Buffer): Promise<string> {
    this.dir ??= await fs.mkdtemp(path.join(os.tmpdir(), 'airlock-extract-'));
    const file = path.join(this.dir, `${Math.random().toString(36).slice(2)}-${path.basename(filename)}`);
    await fs.writeFile(file, content);
    return file;
  }

  /** Writes the artifact and extracts it. */
  async extract(
    filename: string,
    content: string | Buffer,
    format = 'raw',
    limits?: Partial<ExtractLimits>,
  ): Promise<ExtractResult> {
    return extractComponents({ path: await this.write(filename, content), filename, format }, limits);
  }

  /** Removes everything written. */
  async cleanup(): Promise<void> {
    if (this.dir) await fs.rm(this.dir, { recursive: true, force: true });
  }
}

/** The components of an `ok` result, failing the test with the reason otherwise. */
export function componentsOf(result: ExtractResult): Component[] {
  if (result.status !== 'ok') throw new Error(`expected ok, got ${result.status}: ${result.reason}`);
  return result.components;
}
