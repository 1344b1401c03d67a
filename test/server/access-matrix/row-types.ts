import type { ApiResponse, Payload, PrincipalName } from '../../helpers/principals.js';
import type { MatrixFixture, Vars } from './objects.js';

/**
 * One endpoint of the access matrix. Every principal not in `allowed` must be refused: anonymous
 * callers with 401 `not_authenticated`, authenticated ones with 403 `permission_denied`.
 *
 * Placeholders in `endpoint` and in the string values of `body`: `{org}`, `{otherOrg}`, `{repo}`,
 * `{team}`, the service-account slugs `{read}`, `{write}`, `{admin}`, `{manager}`,
 * `{otherManager}`, `{unique}` (a fresh name per call), the shared objects of
 * {@link MatrixFixture.vars}, and whatever `prepare` returns.
 */
export interface AccessRow {
  /** Method and path (with any query string), e.g. `GET /repos/{org}/{repo}/`. */
  endpoint: string;
  /** The principals that may call it. */
  allowed: readonly PrincipalName[];
  /** Body to send. */
  body?: unknown;
  /** How the body is sent (default JSON). */
  payload?: Payload;
  /** The status an allowed caller gets; without it, any 2xx or a 4xx other than 401/403 passes. */
  status?: number;
  /** Makes fresh objects the call changes or consumes, once per principal; returns placeholder values. */
  prepare?: (f: MatrixFixture) => Promise<Vars>;
  /** Checks what an allowed caller's answer shows it (some data is for some callers only). */
  check?: (res: ApiResponse<unknown>, who: PrincipalName, vars: Vars) => void;
}

/** Anyone at all, credentials or not. */
export const EVERYONE: readonly PrincipalName[] = [
  'anonymous',
  'read',
  'write',
  'admin',
  'manager',
  'otherManager',
];
/** Any valid credential, of any org. */
export const AUTHENTICATED: readonly PrincipalName[] = ['read', 'write', 'admin', 'manager', 'otherManager'];
/** The members of the org (their repository privileges aside). */
export const ORG_MEMBERS: readonly PrincipalName[] = ['read', 'write', 'admin', 'manager'];
/** Read or more on the fixture's private repositories. */
export const READERS: readonly PrincipalName[] = ORG_MEMBERS;
/** Write or more on the fixture's private repositories. */
export const WRITERS: readonly PrincipalName[] = ['write', 'admin', 'manager'];
/** Admin on the fixture's private repositories. */
export const REPO_ADMINS: readonly PrincipalName[] = ['admin', 'manager'];
/** The org's Manager only. */
export const ORG_MANAGER: readonly PrincipalName[] = ['manager'];
