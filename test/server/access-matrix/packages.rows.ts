import type { MatrixFixture, Vars } from './objects.js';
import { everyone } from './objects.js';
import {
  AUTHENTICATED,
  EVERYONE,
  ORG_MEMBERS,
  READERS,
  REPO_ADMINS,
  WRITERS,
  type AccessRow,
} from './row-types.js';

const freshPackage = async (f: MatrixFixture): Promise<Vars> => ({
  fresh: (await f.createPackage(f.repo)).id,
});

const sentUpload = async (f: MatrixFixture): Promise<Vars> => ({
  upload: (await f.createUpload(f.repo, 'put', 'bytes')).identifier,
});

/** Creating, listing and reading packages: Write to create, Read to look (anyone on a Public repository). */
export const PACKAGE_READ_WRITE_ROWS: AccessRow[] = [
  {
    endpoint: 'POST /packages/{org}/{repo}/upload/raw/',
    allowed: WRITERS,
    body: { package_file: '{upload}', name: '{unique}', version: '1.0.0' },
    status: 201,
    prepare: sentUpload,
  },
  {
    endpoint: 'POST /packages/{org}/{repo}/validate-upload/raw/',
    allowed: WRITERS,
    body: { package_file: 'dist/{unique}.txt', name: '{unique}', version: '1.0.0' },
    status: 204,
  },
  { endpoint: 'GET /packages/{org}/{repo}/', allowed: READERS, status: 200 },
  // The org-wide listing lists what the caller may read, so any member of the org may call it.
  { endpoint: 'GET /packages/{org}/', allowed: ORG_MEMBERS, status: 200 },
  { endpoint: 'GET /packages/{org}/{repo}/{pkg}/', allowed: READERS, status: 200 },
  { endpoint: 'GET /packages/{org}/{repo}/{pkg}/status/', allowed: READERS, status: 200 },
  { endpoint: 'GET /packages/{org}/{repo}/{pkg}/status/?wait=1', allowed: READERS, status: 200 },
  { endpoint: 'GET /packages/{org}/{repo}/{pkg}/audit-log/', allowed: READERS, status: 200 },
  { endpoint: 'GET /packages/{org}/{public}/', allowed: EVERYONE, status: 200 },
  { endpoint: 'GET /packages/{org}/{public}/{publicPkg}/', allowed: EVERYONE, status: 200 },
  { endpoint: 'GET /packages/{org}/{public}/{publicPkg}/status/', allowed: EVERYONE, status: 200 },
  // The same rules hold under the /v1 prefix the Terraform provider and older clients use.
  { endpoint: 'GET /v1/packages/{org}/{repo}/{pkg}/', allowed: READERS, status: 200 },
  {
    endpoint: 'POST /v1/packages/{org}/{repo}/{fresh}/quarantine/',
    allowed: REPO_ADMINS,
    status: 200,
    prepare: freshPackage,
  },
  // Unknown objects: anonymous callers learn nothing (401), the others get 404 once they may look.
  { endpoint: 'GET /packages/{org}/no-such-repo/', allowed: AUTHENTICATED, status: 404 },
  { endpoint: 'GET /packages/{otherOrg}-gone/{repo}/', allowed: AUTHENTICATED, status: 404 },
  { endpoint: 'GET /packages/{org}/{repo}/no-such-package/', allowed: READERS, status: 404 },
];

/**
 * Package actions, with the minimum privileges of the reference's §3: copy needs Read here and
 * Write at the destination, move Admin here and Write there; tag Write (Admin to remove an
 * immutable tag); quarantine, resync and delete Admin; a scan request Read.
 */
export const PACKAGE_ACTION_ROWS: AccessRow[] = [
  {
    // Everyone holds Write at the destination, so Read on the source is what decides.
    endpoint: 'POST /packages/{org}/{repo}/{pkg}/copy/',
    allowed: READERS,
    body: { destination: '{dest}' },
    status: 200,
    prepare: async (f) => ({ dest: await f.createRepo(everyone('Write')) }),
  },
  {
    // `read` holds only Read at the destination.
    endpoint: 'POST /packages/{org}/{repo}/{pkg}/copy/ (Read at the destination)',
    allowed: WRITERS,
    body: { destination: '{dest}' },
    status: 200,
    prepare: async (f) => ({ dest: await f.createRepo() }),
  },
  {
    // Everyone holds Write at the destination: `write` is refused for lacking Admin on the source.
    endpoint: 'POST /packages/{org}/{repo}/{fresh}/move/',
    allowed: REPO_ADMINS,
    body: { destination: '{dest}' },
    status: 200,
    prepare: async (f) => ({ ...(await freshPackage(f)), dest: await f.createRepo(everyone('Write')) }),
  },
  {
    // Everyone holds Admin on the source: Write at the destination is what decides.
    endpoint: 'POST /packages/{org}/{source}/{fresh}/move/ (Admin on the source)',
    allowed: WRITERS,
    body: { destination: '{dest}' },
    status: 200,
    prepare: async (f) => {
      const source = await f.createRepo(everyone('Admin'));
      return { source, fresh: (await f.createPackage(source)).id, dest: await f.createRepo() };
    },
  },
  {
    endpoint: 'POST /packages/{org}/{repo}/{fresh}/tag/',
    allowed: WRITERS,
    body: { action: 'Add', tags: ['t-{unique}'] },
    status: 200,
    prepare: freshPackage,
  },
  {
    endpoint: 'POST /packages/{org}/{repo}/{fresh}/tag/ (removing an immutable tag)',
    allowed: REPO_ADMINS,
    body: { action: 'Remove', tags: ['locked'] },
    status: 200,
    prepare: async (f) => {
      const vars = await freshPackage(f);
      const res = await f.call('manager', 'POST', `/packages/${f.org}/${f.repo}/${vars.fresh}/tag/`, {
        tags: ['locked'],
        is_immutable: true,
      });
      if (res.status !== 200) throw new Error(`tagging: ${res.status} ${JSON.stringify(res.body)}`);
      return vars;
    },
  },
  {
    endpoint: 'POST /packages/{org}/{repo}/{fresh}/quarantine/',
    allowed: REPO_ADMINS,
    body: {},
    status: 200,
    prepare: freshPackage,
  },
  {
    endpoint: 'POST /packages/{org}/{repo}/{fresh}/quarantine/ (release)',
    allowed: REPO_ADMINS,
    body: { release: true },
    status: 200,
    prepare: async (f) => {
      const vars = await freshPackage(f);
      const res = await f.call(
        'manager',
        'POST',
        `/packages/${f.org}/${f.repo}/${vars.fresh}/quarantine/`,
        {},
      );
      if (res.status !== 200) throw new Error(`quarantining: ${res.status} ${JSON.stringify(res.body)}`);
      return vars;
    },
  },
  {
    endpoint: 'POST /packages/{org}/{repo}/{fresh}/resync/',
    allowed: REPO_ADMINS,
    status: 200,
    prepare: freshPackage,
  },
  {
    endpoint: 'POST /packages/{org}/{repo}/{fresh}/scan/',
    allowed: READERS,
    status: 200,
    prepare: freshPackage,
  },
  {
    endpoint: 'DELETE /packages/{org}/{repo}/{fresh}/',
    allowed: REPO_ADMINS,
    status: 204,
    prepare: freshPackage,
  },
  {
    // Public gives Read, and nothing more: other callers' changes still need their grant.
    endpoint: 'DELETE /packages/{org}/{public}/{fresh}/',
    allowed: REPO_ADMINS,
    status: 204,
    prepare: async (f) => ({ fresh: (await f.createPackage(f.vars.public!)).id }),
  },
];
