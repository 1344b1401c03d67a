import type { PrincipalName } from '../../helpers/principals.js';
import type { MatrixFixture, Vars } from './objects.js';
import { AUTHENTICATED, EVERYONE, ORG_MEMBERS, type AccessRow } from './row-types.js';

/** Makes a value once per fixture, however many principals a row is called for. */
function once(make: (f: MatrixFixture) => Promise<Vars>): (f: MatrixFixture) => Promise<Vars> {
  const made = new WeakMap<MatrixFixture, Promise<Vars>>();
  return (f) => {
    let vars = made.get(f);
    if (!vars) made.set(f, (vars = make(f)));
    return vars;
  };
}

/**
 * A private repository none of the member principals holds a privilege on, with a package that
 * violates a license policy (raw packages declare no license).
 */
const hiddenViolation = once(async (f) => {
  const hidden = await f.createRepo({ grants: { read: null, write: null, admin: null } });
  const name = `hidden-${hidden}`;
  const policy = await f.call('manager', 'POST', `/orgs/${f.org}/license-policy/`, {
    name: `no unlicensed ${name}`,
    spdx_identifiers: ['GPL-3.0-only'],
    allow_unknown_licenses: false,
    package_query_string: `name:${name}`,
  });
  if (policy.status !== 201) throw new Error(`creating the policy: ${policy.status}`);
  const pkg = await f.createPackage(hidden, name);
  await f.scanOf(hidden, pkg.id);
  return { hidden, hiddenPkg: pkg.id };
});

const REPO_ADMINS_OF_PUBLIC: readonly PrincipalName[] = ['admin', 'manager'];

/**
 * Rows about what a caller may see or set off beyond a plain status: violations only in readable
 * repositories, no anonymous scans of Public packages, client addresses for Admins only.
 */
export const PRIVACY_ROWS: AccessRow[] = [
  {
    endpoint: 'GET /orgs/{org}/license-policy-violation/?page_size=500',
    allowed: ORG_MEMBERS,
    status: 200,
    prepare: hiddenViolation,
    check: (res, who, vars) => {
      const seen = (res.body as { package: { identifier: string } }[]).map((v) => v.package.identifier);
      if (who === 'manager') expect(seen).toContain(vars.hiddenPkg);
      else expect(seen).not.toContain(vars.hiddenPkg);
    },
  },
  {
    endpoint: 'POST /packages/{org}/{public}/{fresh}/scan/',
    allowed: AUTHENTICATED,
    status: 200,
    prepare: async (f) => ({ fresh: (await f.createPackage(f.vars.public!)).id }),
  },
  {
    endpoint: 'GET /packages/{org}/{public}/{publicPkg}/audit-log/',
    allowed: EVERYONE,
    status: 200,
    check: (res, who) => {
      const ips = (res.body as { actor_ip_address: string | null }[]).map((e) => e.actor_ip_address);
      expect(ips.length).toBeGreaterThan(0);
      if (!REPO_ADMINS_OF_PUBLIC.includes(who)) expect(ips.filter((ip) => ip !== null)).toEqual([]);
    },
  },
];
