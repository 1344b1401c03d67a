import crypto from 'node:crypto';
import type { MatrixFixture, Vars } from './objects.js';
import { READERS, REPO_ADMINS, type AccessRow } from './row-types.js';

/** A new inactive npm upstream of the fixture's repository; its slug_perm as `fresh`. */
const freshUpstream = async (f: MatrixFixture): Promise<Vars> => {
  const res = await f.call<{ slug_perm: string }>(
    'manager',
    'POST',
    `/repos/${f.org}/${f.repo}/upstream/npm/`,
    {
      name: 'matrix',
      upstream_url: `http://127.0.0.1:9/${crypto.randomBytes(6).toString('hex')}`,
      is_active: false,
    },
  );
  if (res.status !== 201) throw new Error(`creating an upstream: ${res.status} ${JSON.stringify(res.body)}`);
  return { fresh: res.body.slug_perm };
};

const upstreamBody = { name: 'mirror', upstream_url: 'http://127.0.0.1:9/{unique}', is_active: false };

/** Upstreams and the firewall mode: Read to look, repository Admin to change. */
export const UPSTREAM_ROWS: AccessRow[] = [
  { endpoint: 'GET /repos/{org}/{repo}/upstream/npm/', allowed: READERS, status: 200 },
  {
    endpoint: 'POST /repos/{org}/{repo}/upstream/npm/',
    allowed: REPO_ADMINS,
    body: upstreamBody,
    status: 201,
  },
  {
    endpoint: 'GET /repos/{org}/{repo}/upstream/npm/{fresh}/',
    allowed: READERS,
    status: 200,
    prepare: freshUpstream,
  },
  {
    endpoint: 'PATCH /repos/{org}/{repo}/upstream/npm/{fresh}/',
    allowed: REPO_ADMINS,
    body: { priority: 2 },
    status: 200,
    prepare: freshUpstream,
  },
  {
    endpoint: 'PUT /repos/{org}/{repo}/upstream/npm/{fresh}/',
    allowed: REPO_ADMINS,
    body: upstreamBody,
    status: 200,
    prepare: freshUpstream,
  },
  {
    endpoint: 'DELETE /repos/{org}/{repo}/upstream/npm/{fresh}/',
    allowed: REPO_ADMINS,
    status: 204,
    prepare: freshUpstream,
  },
  { endpoint: 'GET /repos/{org}/{repo}/upstream-firewall/', allowed: READERS, status: 200 },
  {
    endpoint: 'PUT /repos/{org}/{repo}/upstream-firewall/',
    allowed: REPO_ADMINS,
    body: { mode: 'hide' },
    status: 200,
  },
];
