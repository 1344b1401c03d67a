import type { MatrixFixture, UploadMethod, Vars } from './objects.js';
import { AUTHENTICATED, EVERYONE, READERS, WRITERS, type AccessRow } from './row-types.js';

const freshUpload =
  (method: UploadMethod, send?: 'bytes' | 'part') =>
  async (f: MatrixFixture): Promise<Vars> => {
    const upload = await f.createUpload(f.repo, method, send);
    return {
      upload: upload.identifier,
      query: upload.query,
      expires: upload.upload_fields.expires ?? '',
      signature: upload.upload_fields.signature ?? '',
    };
  };

/**
 * Uploads: requesting one and its helpers need Write. The upload URL is authorised by its
 * signature alone (the official CLI posts its form with no key), so a signed request succeeds
 * whoever sends it; without a signature it takes an API key with Write.
 */
export const FILE_ROWS: AccessRow[] = [
  {
    endpoint: 'POST /files/{org}/{repo}/',
    allowed: WRITERS,
    body: { filename: '{unique}.txt', method: 'put' },
    status: 202,
  },
  {
    endpoint: 'POST /files/{org}/{repo}/validate/',
    allowed: WRITERS,
    body: { filename: '{unique}.txt', md5_checksum: 'd41d8cd98f00b204e9800998ecf8427e' },
    status: 204,
  },
  {
    endpoint: 'PUT /uploads/{upload}?{query}',
    allowed: EVERYONE,
    body: 'signed bytes {unique}',
    payload: 'bytes',
    status: 200,
    prepare: freshUpload('put'),
  },
  {
    endpoint: 'POST /uploads/{upload}?{query}',
    allowed: EVERYONE,
    body: { expires: '{expires}', signature: '{signature}', file: 'form bytes {unique}' },
    payload: 'form',
    status: 200,
    prepare: freshUpload('post'),
  },
  {
    endpoint: 'PUT /uploads/{upload}',
    allowed: WRITERS,
    body: 'unsigned bytes {unique}',
    payload: 'bytes',
    status: 200,
    prepare: freshUpload('unsigned_put'),
  },
  {
    endpoint: 'PUT /uploads/{upload}?upload_id={upload}&part_number=1',
    allowed: WRITERS,
    body: 'part bytes {unique}',
    payload: 'bytes',
    status: 200,
    prepare: freshUpload('put_parts'),
  },
  {
    endpoint: 'POST /files/{org}/{repo}/{upload}/complete/',
    allowed: WRITERS,
    body: { upload_id: '{upload}', complete: true },
    status: 201,
    prepare: freshUpload('put_parts', 'part'),
  },
  {
    endpoint: 'POST /files/{org}/{repo}/{upload}/abort/',
    allowed: WRITERS,
    status: 204,
    prepare: freshUpload('put'),
  },
  {
    endpoint: 'GET /files/{org}/{repo}/{upload}/info/?part_number=1',
    allowed: WRITERS,
    status: 200,
    prepare: freshUpload('put_parts'),
  },
];

/** Downloads (a package's `cdn_url`): Read on the repository, which a Public one gives anyone. */
export const DOWNLOAD_ROWS: AccessRow[] = [
  { endpoint: 'GET /dl/{org}/{repo}/{pkg}/{file}', allowed: READERS, status: 200 },
  { endpoint: 'HEAD /dl/{org}/{repo}/{pkg}/{file}', allowed: READERS, status: 200 },
  { endpoint: 'GET /dl/{org}/{public}/{publicPkg}/{publicFile}', allowed: EVERYONE, status: 200 },
  { endpoint: 'HEAD /dl/{org}/{public}/{publicPkg}/{publicFile}', allowed: EVERYONE, status: 200 },
  // A missing repository looks the same as a private one to an anonymous caller.
  { endpoint: 'GET /dl/{org}/no-such-repo/{pkg}/{file}', allowed: AUTHENTICATED, status: 404 },
  { endpoint: 'GET /dl/{org}/{repo}/no-such-package/{file}', allowed: READERS, status: 404 },
];

/**
 * The Python index: Read to read it (anyone on a Public repository), Write to upload. The empty
 * index of a fresh repository answers readers 404 for a project, file or JSON page it lacks, and
 * a writer's upload that is not a form 415.
 */
export const PYPI_ROWS: AccessRow[] = [
  { endpoint: 'GET /pypi/{org}/{repo}/simple/', allowed: READERS, status: 200 },
  { endpoint: 'GET /pypi/{org}/{public}/simple/', allowed: EVERYONE, status: 200 },
  { endpoint: 'GET /pypi/{org}/{repo}/simple/no-such-project/', allowed: READERS, status: 404 },
  { endpoint: 'GET /pypi/{org}/{repo}/files/no_such-1.0-py3-none-any.whl', allowed: READERS, status: 404 },
  { endpoint: 'GET /pypi/{org}/{repo}/pypi/no-such-project/json', allowed: READERS, status: 404 },
  { endpoint: 'GET /pypi/{org}/{repo}/pypi/no-such-project/1.0/json', allowed: READERS, status: 404 },
  { endpoint: 'POST /pypi/{org}/{repo}/', allowed: WRITERS, body: {}, status: 415 },
];
