import path from 'node:path';
import type { RepositoryClient } from '../client/client.js';
import { retry } from '../client/retry.js';
import type { Package } from '../client/types.js';
import { hashFile } from '../client/upload.js';
import { PushInput, PushOutput, StepEnv } from '../config/names.js';
import type { PushSettings } from '../config/push.js';
import type { Runtime } from '../runtime/runtime.js';
import { isTransientFailure, retryAfterOf, type StepDeps } from './connect.js';
import { detectFormat, type DetectedFormat } from './detect-format.js';
import { globFiles, type FileFinder } from './find-files.js';
import { formatBytes, mapConcurrently, ProgressBoard } from './progress.js';
import { describeRetry } from './retry.js';
import { toPushedPackage, type PushedPackage } from './types.js';

/** Injected parts of the push step. */
export interface PushDeps extends StepDeps {
  /** Expands the `files` patterns; default @actions/glob. */
  findFiles?: FileFinder;
  /** Directory relative patterns start from. Default: the working directory (the workspace). */
  cwd?: string;
  /** Least time between two progress lines. Default 5 s. */
  progressIntervalMs?: number;
  /** Upload in parts above this size (default the client's 100 MiB). */
  multipartThreshold?: number;
  partSize?: number;
}

/** One file to push and how. */
interface Planned {
  file: string;
  filename: string;
  format: DetectedFormat;
  reason: string;
  sha256: string;
  size: number;
}

/** What the push step did. */
export interface PushResult {
  packages: PushedPackage[];
  /** Files uploaded now. */
  uploaded: number;
  /** Files already in the repository with the same content, not uploaded again. */
  reused: number;
}

/**
 * Detects each file's format and hashes it, `parallel` files at a time: the hash is read once
 * here, for the lookup of an identical package and the upload's declared checksum, and the
 * upload reads the file only to send it. The bound keeps memory and open files in step with the
 * uploads however many files the patterns match.
 */
async function plan(options: PushSettings, files: string[]): Promise<Planned[]> {
  return mapConcurrently(files, options.parallel, async (file): Promise<Planned> => {
    const detected =
      options.format === 'auto'
        ? await detectFormat(file)
        : { format: options.format, reason: `format is ${options.format}` };
    const filename = path.basename(file);
    if (detected.format === 'raw' && (!options.name || !options.version)) {
      throw new Error(
        `Input ${!options.name ? PushInput.Name : PushInput.Version} is required for ${filename}: it is ${detected.reason}, so it goes up as a raw package, which takes its name and version from the ${PushInput.Name} and ${PushInput.Version} inputs (or set ${PushInput.Format} to npm or python).`,
      );
    }
    const { sha256, size } = await hashFile(file);
    return { file, filename, format: detected.format, reason: detected.reason, sha256, size };
  });
}

/** A live package in the repository with exactly this content (and, for raw, this name and version). */
async function findSame(
  client: RepositoryClient,
  options: PushSettings,
  item: Planned,
): Promise<Package | undefined> {
  const page = await client.listPackages(options.owner, options.repo, {
    query: `checksum:${item.sha256}`,
    pageSize: 100,
  });
  return page.items.find(
    (p) =>
      p.checksum_sha256 === item.sha256 &&
      p.format === item.format &&
      (item.format !== 'raw' || (p.name === options.name && p.version === options.version)),
  );
}

function createBody(options: PushSettings, item: Planned, identifier: string): Record<string, unknown> {
  return {
    package_file: identifier,
    ...(options.republish ? { republish: true } : {}),
    ...(options.tags.length ? { tags: options.tags } : {}),
    ...(item.format === 'raw' ? { name: options.name, version: options.version } : {}),
  };
}

/**
 * Uploads one file and creates its package. Creating is not idempotent, so a transient failure
 * (5xx, throttling, a reset connection) is retried only after checking that the package did not
 * get created after all; each retry uploads the file again into a fresh slot.
 */
async function pushOne(
  runtime: Runtime,
  client: RepositoryClient,
  options: PushSettings,
  item: Planned,
  board: ProgressBoard,
  deps: PushDeps,
): Promise<{ pkg: Package; reused: boolean }> {
  const where = `${options.owner}/${options.repo}`;
  const same = await findSame(client, options, item);
  if (same) {
    runtime.info(
      `${item.filename} is already in ${where} as ${same.slug} (${same.slug_perm}) with the same sha256; not uploaded again.`,
    );
    if (same.is_quarantined) runtime.warning(`${where}/${same.slug} is quarantined.`);
    return { pkg: same, reused: true };
  }
  const pkg = await retry(
    async (attempt) => {
      if (attempt > 0) {
        const created = await findSame(client, options, item);
        if (created) return created;
      }
      const uploaded = await client.uploadFile(options.owner, options.repo, item.file, {
        hashed: { sha256: item.sha256, size: item.size },
        onProgress: (p) => board.update(p),
        ...(deps.multipartThreshold !== undefined ? { multipartThreshold: deps.multipartThreshold } : {}),
        ...(deps.partSize !== undefined ? { partSize: deps.partSize } : {}),
      });
      board.finish(item.filename);
      return client.createPackage(
        options.owner,
        options.repo,
        item.format,
        createBody(options, item, uploaded.identifier),
      );
    },
    {
      ...deps.timing,
      retries: options.connection.retries,
      shouldRetry: (err) => (isTransientFailure(err) ? retryAfterOf(err) : false),
      onRetry: (notice) => runtime.info(describeRetry(`Pushing ${item.filename}`, notice)),
      ...(deps.now ? { now: deps.now } : {}),
    },
  );
  runtime.info(`Created ${where}/${pkg.slug} (${pkg.slug_perm}) from ${item.filename}.`);
  return { pkg, reused: false };
}

/**
 * The `push` step: expands the globs (a pattern that matches nothing fails, naming it), detects
 * each file's format, then uploads up to `parallel` files at once — streamed with their sha256,
 * large ones in parts, progress every few seconds — and creates the packages. A file whose exact
 * content is already in the repository is not uploaded again. Sets the `packages` output and
 * exports the packages, owner and repository for the gate and promote steps.
 */
export async function pushPackages(
  runtime: Runtime,
  client: RepositoryClient,
  options: PushSettings,
  deps: PushDeps = {},
): Promise<PushResult> {
  const files = await (deps.findFiles ?? globFiles)(options.files, deps.cwd ?? process.cwd());
  const planned = await plan(options, files);
  const total = planned.reduce((n, p) => n + p.size, 0);
  runtime.info(
    `Pushing ${planned.length} file${planned.length === 1 ? '' : 's'} (${formatBytes(total)}) to ${options.owner}/${options.repo}:\n` +
      planned.map((p) => `  ${p.filename}: ${p.format}, ${p.reason}; sha256 ${p.sha256}`).join('\n'),
  );
  const board = new ProgressBoard(
    (line) => runtime.info(line),
    deps.progressIntervalMs ?? 5000,
    deps.now ?? Date.now,
  );
  const results = await mapConcurrently(planned, options.parallel, (item) =>
    pushOne(runtime, client, options, item, board, deps),
  );
  const packages = results.map((r) => toPushedPackage(r.pkg));
  const json = JSON.stringify(packages);
  runtime.setOutput(PushOutput.Packages, json);
  runtime.exportVariable(StepEnv.Packages, json);
  runtime.exportVariable(StepEnv.Owner, options.owner);
  runtime.exportVariable(StepEnv.Repo, options.repo);
  const reused = results.filter((r) => r.reused).length;
  return { packages, uploaded: results.length - reused, reused };
}
