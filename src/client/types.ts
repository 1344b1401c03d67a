/**
 * The response and request types the client speaks: the wire contract of src/api/, plus the
 * client's own paging and query shapes.
 */
export type { FileUpload, FileUploadRequest, UploadMethod } from '../api/files.js';
export type { OidcExchangeRequest, OidcExchangeResponse } from '../api/oidc.js';
export type {
  Package,
  PackageCopyRequest,
  PackageMoveRequest,
  PackageQuarantineRequest,
  PackageStatus,
  PackageTagRequest,
  PackageTags,
} from '../api/packages.js';
export type { UserSelf } from '../api/access.js';
export type {
  Vulnerability,
  VulnerabilityScanResults,
  VulnerabilityScanResultsList,
  VulnerabilityScanResultsListItem,
} from '../api/vulnerabilities.js';

/** Query of `GET /packages/{owner}/{repo}/`. */
export interface PackageQuery {
  /** Search terms: `name:`, `version:`, `format:`, `tag:`, `status:`, … */
  query?: string;
  sort?: string;
  page?: number;
  pageSize?: number;
}

/** One page of a list, with the `X-Pagination-*` headers read. */
export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  pageTotal: number;
  count: number;
}
