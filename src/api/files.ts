import type { Static } from 'typebox';
import { Type } from './type.js';

/** How the client means to send the bytes (Cloudsmith `PackageFileUploadRequest.method`). */
export const UploadMethod = Type.Union(
  [
    Type.Literal('post'),
    Type.Literal('put'),
    Type.Literal('put_parts'),
    Type.Literal('presigned'),
    Type.Literal('unsigned_put'),
  ],
  { description: 'post (multipart form, the default), put (raw body), put_parts (multipart upload).' },
);
/** An upload method. */
export type UploadMethod = Static<typeof UploadMethod>;

const Checksum = (algorithm: string, hexLength: number) =>
  Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: `${algorithm} of the whole file, ${hexLength} hex digits; the bytes are checked against it.`,
    }),
  );

/** `POST /files/{owner}/{repo}/`: ask for an upload (Cloudsmith `PackageFileUploadRequest`). */
export const FileUploadRequest = Type.Object({
  filename: Type.String({
    textKind: 'identifier',
    description: 'Base name of the file (no directory parts).',
  }),
  sha256_checksum: Checksum('SHA-256', 64),
  md5_checksum: Checksum('MD5', 32),
  method: Type.Optional(UploadMethod),
});
/** Body of an upload request. */
export type FileUploadRequest = Static<typeof FileUploadRequest>;

/** `POST /files/{owner}/{repo}/validate/`: check an upload request without making one. */
export const FileValidateRequest = Type.Object({
  filename: Type.String(),
  md5_checksum: Checksum('MD5', 32),
  sha256_checksum: Checksum('SHA-256', 64),
});
/** Body of a validate call. */
export type FileValidateRequest = Static<typeof FileValidateRequest>;

/** The granted upload (Cloudsmith `PackageFileUpload`): where and how to send the bytes. */
export const FileUpload = Type.Object({
  identifier: Type.String({ description: 'Pass as `package_file` when creating the package.' }),
  upload_url: Type.String({ description: 'Signed, short-lived, single-use URL that takes the bytes.' }),
  upload_fields: Type.Record(Type.String(), Type.String(), {
    description: 'Form fields to send before the `file` part of a `post` upload.',
  }),
  upload_headers: Type.Record(Type.String(), Type.String()),
  upload_querystring: Type.Union([Type.String(), Type.Null()]),
});
/** A granted upload. */
export type FileUpload = Static<typeof FileUpload>;

/** Query parameters of the upload URL. */
export const UploadUrlQuery = Type.Object({
  expires: Type.Optional(Type.String()),
  signature: Type.Optional(Type.String()),
  upload_id: Type.Optional(Type.String()),
  part_number: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
});
/** Parsed upload URL query. */
export type UploadUrlQuery = Static<typeof UploadUrlQuery>;

/** What the service received for an upload, once the bytes are verified and stored. */
export const UploadedFile = Type.Object({
  identifier: Type.String(),
  sha256_checksum: Type.String(),
  md5_checksum: Type.String(),
  size: Type.Integer(),
});
/** A verified, stored upload. */
export type UploadedFile = Static<typeof UploadedFile>;

/** One part of a `put_parts` upload, stored. */
export const UploadedPart = Type.Object({
  identifier: Type.String(),
  part_number: Type.Integer(),
  size: Type.Integer(),
});
/** A stored part. */
export type UploadedPart = Static<typeof UploadedPart>;

/** `POST /files/{owner}/{repo}/{identifier}/complete/`. */
export const FileCompleteRequest = Type.Object({
  upload_id: Type.Optional(Type.String()),
  complete: Type.Optional(Type.Boolean()),
});
/** Body of a complete call. */
export type FileCompleteRequest = Static<typeof FileCompleteRequest>;

/** `GET /files/{owner}/{repo}/{identifier}/info/` query. */
export const FileInfoQuery = Type.Object({
  filename: Type.Optional(Type.String({ textKind: 'identifier' })),
  part_number: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
});
/** Parsed info query. */
export type FileInfoQuery = Static<typeof FileInfoQuery>;

/** Where to send (a part of) an upload. */
export const FileInfo = Type.Object({
  identifier: Type.String(),
  upload_url: Type.String(),
  upload_querystring: Type.Union([Type.String(), Type.Null()]),
});
/** Upload info. */
export type FileInfo = Static<typeof FileInfo>;
