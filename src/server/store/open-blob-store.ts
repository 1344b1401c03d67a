import fs from 'node:fs';
import path from 'node:path';
import type { ServerConfig } from '../config.js';
import type { BlobStore } from './blobs.js';
import { FsBlobStore } from './fs-blob-store.js';

/** How long a staged object may sit in a shared bucket before it counts as left by a dead request. */
const STALE_STAGING_MS = 24 * 3600 * 1000;

/** What {@link openBlobStore} may be told besides the configuration (tests lower the thresholds). */
export interface OpenBlobStoreOptions {
  /** Passed to the S3 store: objects above this size are committed by multipart copy. */
  multipartCopyThreshold?: number;
  copyPartSize?: number;
  now?: Date;
  /**
   * Leave the staging area alone: for a command (backup) that opens the store of a service
   * still running, whose uploads in flight are staged there.
   */
  keepStaging?: boolean;
}

/**
 * Opens the blob store the configuration names, checks that it is usable (a clear error naming
 * the setting when the bucket is unknown or the endpoint unreachable) and clears what
 * interrupted requests left in its staging area. S3 credentials come from the AWS SDK's default
 * chain (environment, shared profile, web identity, instance role); none is configured here.
 */
export async function openBlobStore(
  config: ServerConfig,
  options: OpenBlobStoreOptions = {},
): Promise<BlobStore> {
  const { now = new Date(), keepStaging = false, ...s3Options } = options;
  let store: BlobStore;
  if (config.blobs.kind === 'fs') {
    store = new FsBlobStore(config.dataDir);
  } else {
    // Scans still read a blob from a local scratch copy under the data directory's tmp/.
    fs.mkdirSync(path.join(config.dataDir, 'tmp'), { recursive: true });
    // The AWS SDK is loaded only by a service that stores blobs in S3: it is several MiB of
    // resident code and data that a service on local files would carry for nothing.
    const [{ S3Client }, { S3BlobStore }] = await Promise.all([
      import('@aws-sdk/client-s3'),
      import('./s3-blob-store.js'),
    ]);
    const { bucket, endpoint, region, forcePathStyle } = config.blobs;
    const client = new S3Client({
      region,
      forcePathStyle,
      ...(endpoint ? { endpoint } : {}),
      // An unreachable endpoint fails the start within seconds instead of hanging on a connect.
      requestHandler: { connectionTimeout: 5_000 },
      // Reads are ranged and blobs may be multipart copies: a whole-object checksum header does
      // not describe what a read returns, so it is checked only where a request asks for it.
      // The bytes were verified against their sha256 when they came in.
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    store = new S3BlobStore({
      client,
      bucket,
      ...(endpoint ? { endpoint } : {}),
      presignDownloads: config.blobs.presignDownloads,
      ...s3Options,
    });
  }
  await store.check();
  if (!keepStaging) await store.clearStaging(new Date(now.getTime() - STALE_STAGING_MS));
  return store;
}
