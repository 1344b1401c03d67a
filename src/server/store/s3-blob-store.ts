import crypto from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3ServiceException,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobStore, ByteRange, DownloadLinkOptions, StagedBlob } from './blobs.js';
import { checkPartName, checkSha256 } from './blobs.js';
import { ByteLimiter, concatenate, HashingLimiter } from './blob-streams.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** Largest object one CopyObject may copy; above it S3 wants a multipart copy. */
export const SINGLE_COPY_LIMIT = 5 * GiB;
/** S3's bounds on the parts of one multipart upload. */
const MIN_PART = 5 * MiB;
const MAX_PARTS = 10_000;
/** Upload part size: a few of these per request are all the memory a transfer takes. */
const UPLOAD_PART = 8 * MiB;
/** Parts uploaded at once per transfer. */
const UPLOAD_QUEUE = 2;
const COPY_PART = 512 * MiB;

/** How an {@link S3BlobStore} is set up; the thresholds are injectable so tests reach every path. */
export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** The endpoint the client talks to, for messages only (the SDK's default when absent). */
  endpoint?: string;
  /** Objects above this many bytes are committed by multipart copy (default 5 GiB, S3's limit). */
  multipartCopyThreshold?: number;
  /** Part size of a multipart copy (default 512 MiB; at least 5 MiB). */
  copyPartSize?: number;
  /** Hand out presigned GET URLs for downloads instead of streaming through the service. */
  presignDownloads?: boolean;
}

function isMissing(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404)
  );
}

/** A blob that is not in the store, reported like a missing file so callers treat both alike. */
function missingBlob(sha256: string): Error {
  return Object.assign(new Error(`Blob ${sha256} is not in the blob store.`), { code: 'ENOENT' });
}

function partSizeFor(maxBytes: number): number {
  return Math.max(UPLOAD_PART, Math.ceil(Math.min(maxBytes, Number.MAX_SAFE_INTEGER) / MAX_PARTS));
}

/**
 * Blobs in an S3-compatible bucket: `blobs/<sha256>`, staged under `tmp/` while the bytes arrive
 * (hashed on the way, streamed in parts: never held whole in memory nor written to local disk),
 * then committed by a server-side copy to their content address. Upload parts are objects under
 * `parts/<upload>/<n>`. Several service processes may share the bucket.
 */
export class S3BlobStore implements BlobStore {
  readonly exclusive = false;
  readonly description: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly copyThreshold: number;
  private readonly copyPartSize: number;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.description = `s3://${options.bucket}`;
    this.copyThreshold = options.multipartCopyThreshold ?? SINGLE_COPY_LIMIT;
    this.copyPartSize = Math.max(MIN_PART, options.copyPartSize ?? COPY_PART);
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const where = this.options.endpoint ? ` at ${this.options.endpoint} (--s3-endpoint)` : '';
      const status = err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
      const reason =
        status === 404
          ? 'the bucket does not exist'
          : status === 403 || status === 401
            ? 'access is denied to the credentials the AWS SDK found (environment, profile or instance role)'
            : `it cannot be reached (${err instanceof Error ? err.message || err.name : String(err)})`;
      throw new Error(`Blob store ${this.description} (--blob-store)${where}: ${reason}.`);
    }
  }

  async clearStaging(olderThan: Date): Promise<void> {
    const stale: string[] = [];
    for await (const object of this.list('tmp/')) {
      if (object.LastModified && object.LastModified < olderThan) stale.push(object.Key);
    }
    await this.deleteKeys(stale);
  }

  private blobKey(sha256: string): string {
    checkSha256(sha256);
    return `blobs/${sha256}`;
  }

  private partKey(uploadId: string, partNumber: number): string {
    checkPartName(uploadId, partNumber);
    return `parts/${uploadId}/${partNumber}`;
  }

  /** Streams `source` through `limiter` into the object `key`; on failure no new object exists there. */
  private async put(key: string, source: Readable, limiter: ByteLimiter, maxBytes: number): Promise<void> {
    // pipeline() carries a failure of either side to the other, so the upload sees it and aborts.
    const body = pipeline(source, limiter, () => undefined);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/octet-stream' },
      partSize: partSizeFor(maxBytes),
      queueSize: UPLOAD_QUEUE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      source.destroy();
      // A stream error inside the limiter is the real cause; the SDK may wrap or replace it.
      throw limiter.errored ?? err;
    }
  }

  async stage(source: Readable, maxBytes: number): Promise<StagedBlob> {
    const tmp = `tmp/${crypto.randomBytes(12).toString('hex')}`;
    const limiter = new HashingLimiter(maxBytes);
    try {
      await this.put(tmp, source, limiter, maxBytes);
    } catch (err) {
      limiter.cancel();
      await this.deleteKeys([tmp]).catch(() => undefined);
      throw err;
    }
    const digest = await limiter.digest();
    const target = this.blobKey(digest.sha256);
    let settled = false;
    return {
      ...digest,
      sha512: null,
      commit: async (): Promise<void> => {
        if (settled) return;
        // Same address, same bytes: a blob already there (an orphan, or a concurrent upload of
        // the same content) needs no copy.
        if (!(await this.exists(target))) await this.copy(tmp, target, digest.size);
        settled = true;
        await this.deleteKeys([tmp]);
      },
      discard: async (): Promise<void> => {
        if (settled) return;
        settled = true;
        await this.deleteKeys([tmp]);
      },
    };
  }

  /** Server-side copy: one CopyObject up to the threshold, a multipart copy above it. */
  private async copy(from: string, to: string, size: number): Promise<void> {
    const source = `${this.bucket}/${from}`;
    if (size <= this.copyThreshold) {
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: source }));
      return;
    }
    const partSize = Math.max(this.copyPartSize, Math.ceil(size / MAX_PARTS));
    const created = await this.client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: to,
        ContentType: 'application/octet-stream',
      }),
    );
    const uploadId = created.UploadId!;
    try {
      const parts: { ETag: string; PartNumber: number }[] = [];
      for (let start = 0, n = 1; start < size; start += partSize, n++) {
        const end = Math.min(size, start + partSize) - 1;
        const res = await this.client.send(
          new UploadPartCopyCommand({
            Bucket: this.bucket,
            Key: to,
            UploadId: uploadId,
            PartNumber: n,
            CopySource: source,
            CopySourceRange: `bytes=${start}-${end}`,
          }),
        );
        parts.push({ ETag: res.CopyPartResult!.ETag!, PartNumber: n });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: to,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (err) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: to, UploadId: uploadId }))
        .catch(() => undefined);
      throw err;
    }
  }

  async read(sha256: string, range?: ByteRange): Promise<Readable> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.blobKey(sha256),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      return res.Body as Readable;
    } catch (err) {
      if (isMissing(err)) throw missingBlob(sha256);
      throw err;
    }
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async has(sha256: string): Promise<boolean> {
    return this.exists(this.blobKey(sha256));
  }

  async remove(sha256: string): Promise<void> {
    await this.deleteKeys([this.blobKey(sha256)]);
  }

  async stagePart(uploadId: string, partNumber: number, source: Readable, maxBytes: number): Promise<number> {
    const limiter = new ByteLimiter(maxBytes);
    await this.put(this.partKey(uploadId, partNumber), source, limiter, maxBytes);
    return limiter.seen;
  }

  async concatParts(uploadId: string, partNumbers: readonly number[], maxBytes: number): Promise<StagedBlob> {
    const keys = partNumbers.map((n) => this.partKey(uploadId, n));
    const open = (key: string) => async (): Promise<AsyncIterable<Buffer>> => {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return res.Body as Readable;
    };
    return this.stage(Readable.from(concatenate(keys.map(open))), maxBytes);
  }

  async removeParts(uploadId: string): Promise<void> {
    checkPartName(uploadId);
    const keys: string[] = [];
    for await (const object of this.list(`parts/${uploadId}/`)) keys.push(object.Key);
    await this.deleteKeys(keys);
  }

  async downloadLink(sha256: string, options: DownloadLinkOptions): Promise<string | null> {
    if (!this.options.presignDownloads) return null;
    const filename = options.filename.replace(/["\\\r\n]/g, '_');
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.blobKey(sha256),
        ResponseContentDisposition: `attachment; filename="${filename}"`,
      }),
      { expiresIn: options.expiresInSeconds },
    );
  }

  private async *list(prefix: string): AsyncGenerator<{ Key: string; LastModified?: Date }> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) yield { Key: object.Key, LastModified: object.LastModified };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Deletes keys, a thousand per request (S3's limit); absent keys are no error. */
  private async deleteKeys(keys: readonly string[]): Promise<void> {
    if (keys.length === 1) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: keys[0] }));
      return;
    }
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const res = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const failed = res.Errors?.[0];
      if (failed)
        throw new Error(`Could not delete ${failed.Key} from ${this.description}: ${failed.Message}`);
    }
  }
}
