import { buildPrincipals, PRINCIPALS, uniqueName, type AccessFixture } from '../helpers/principals.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ACCESS_ROWS, type AccessRow, type Vars } from './access-matrix.rows.js';

const LABEL = {
  anonymous: 'an anonymous caller',
  read: 'a service account with Read',
  write: 'a service account with Write (through a team)',
  admin: 'a service account with Admin',
  manager: 'the org Manager',
  otherManager: "another org's Manager",
} as const;

function expand(template: string, vars: Vars): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`No value for placeholder {${name}} in '${template}'`);
    return value;
  });
}

function expandBody(body: unknown, vars: Vars): unknown {
  if (typeof body === 'string') return expand(body, vars);
  if (Array.isArray(body)) return body.map((b) => expandBody(b, vars));
  if (body && typeof body === 'object') {
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, expandBody(v, vars)]));
  }
  return body;
}

describe('the access matrix', () => {
  let server: TestServer;
  let f: AccessFixture;
  beforeAll(async () => {
    server = await startTestServer();
    f = await buildPrincipals(server);
  });
  afterAll(async () => server.close());

  describe.each(ACCESS_ROWS.map((row): [string, AccessRow] => [row.endpoint, row]))(
    '%s',
    (_endpoint, row) => {
      const cases = PRINCIPALS.map((who) => {
        const allowed = row.allowed.includes(who);
        const label = allowed
          ? `lets ${LABEL[who]} call it`
          : `refuses ${LABEL[who]} with ${who === 'anonymous' ? '401' : '403'}`;
        return [label, who, allowed] as const;
      });

      it.each(cases)('%s', async (_label, who, allowed) => {
        const vars: Vars = {
          org: f.org,
          otherOrg: f.otherOrg,
          repo: f.repo,
          team: f.team,
          ...f.slugs,
          unique: uniqueName('m'),
          ...(row.prepare ? await row.prepare(f) : {}),
        };
        const [method, path] = row.endpoint.split(' ') as [string, string];
        const body = row.body === undefined ? undefined : expandBody(row.body, vars);
        const res = await f.call<{ code?: string }>(who, method, expand(path, vars), body);

        if (!allowed) {
          expect({ status: res.status, code: res.body?.code }).toEqual(
            who === 'anonymous'
              ? { status: 401, code: 'not_authenticated' }
              : { status: 403, code: 'permission_denied' },
          );
        } else if (row.status !== undefined) {
          // The whole response is printed on a mismatch, body included.
          expect({ status: res.status, body: res.body }).toMatchObject({ status: row.status });
        } else {
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(500);
          expect([401, 403]).not.toContain(res.status);
        }
      });
    },
  );
});
