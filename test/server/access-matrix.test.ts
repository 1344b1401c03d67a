import { startDevIssuer, type DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import { PRINCIPALS, uniqueName } from '../helpers/principals.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { buildMatrixFixture, type MatrixFixture } from './access-matrix/objects.js';
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

/** Method and path of a row's endpoint (anything after the path only names the case). */
function splitEndpoint(endpoint: string): [string, string] {
  const [method, path] = endpoint.split(' ') as [string, string];
  return [method, path];
}

/** A registered route: its method and its path with `{}` for each parameter, `/v1` left out. */
function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.replace(/\{[^}]*\}/g, '{}')}`;
}

/**
 * The route a row calls: of the routes its path fits (a placeholder fits a parameter only, a
 * literal segment a parameter or the same literal), the most specific one, as the router picks.
 */
function routeOf(row: AccessRow, routes: string[]): string | undefined {
  const [method, path] = splitEndpoint(row.endpoint);
  const segments = path
    .split('?')[0]!
    .replace(/^\/v1\//, '/')
    .split('/');
  const fits = routes.filter((route) => {
    const [m, p] = route.split(' ') as [string, string];
    const parts = p.split('/');
    return (
      m === method &&
      parts.length === segments.length &&
      parts.every((part, i) => part === '{}' || part === segments[i])
    );
  });
  const params = (route: string): number => route.split('{}').length;
  return fits.sort((a, b) => params(a) - params(b))[0];
}

describe('the access matrix', () => {
  let server: TestServer;
  let issuer: DevIssuer;
  let f: MatrixFixture;
  beforeAll(async () => {
    server = await startTestServer({ allowLoopbackIssuers: true });
    issuer = await startDevIssuer();
    f = await buildMatrixFixture(server, issuer);
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await issuer.close();
  });

  it('has a row for every endpoint the service registers', async () => {
    const res = await f.call<{ paths: Record<string, Record<string, unknown>> }>(
      'anonymous',
      'GET',
      '/openapi.json',
    );
    const registered = Object.entries(res.body.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => routeKey(method, path)),
    );
    expect(registered.length).toBeGreaterThan(50);
    const covered = new Set(ACCESS_ROWS.map((row) => routeOf(row, registered)));
    // The npm registry answers in npm's protocol (its own error bodies, no /v1 twin); who may
    // read, publish, tag and unpublish there is tested route by route in test/server/npm/.
    const npmProtocol = (route: string) => route.split(' ')[1]!.startsWith('/npm/');
    expect(registered.filter((route) => !covered.has(route) && !npmProtocol(route))).toEqual([]);
    expect(registered.filter(npmProtocol).length).toBeGreaterThan(5);
  });

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
          ...f.vars,
          unique: uniqueName('m'),
          ...(row.prepare ? await row.prepare(f) : {}),
        };
        const [method, path] = splitEndpoint(row.endpoint);
        const body = row.body === undefined ? undefined : expandBody(row.body, vars);
        const res = await f.call<{ code?: string }>(who, method, expand(path, vars), body, row.payload);

        if (!allowed) {
          // A HEAD answer has no body to carry the code.
          const code =
            method === 'HEAD' ? undefined : who === 'anonymous' ? 'not_authenticated' : 'permission_denied';
          expect({ status: res.status, code: res.body?.code }).toEqual({
            status: who === 'anonymous' ? 401 : 403,
            code,
          });
        } else if (row.status !== undefined) {
          // The whole response is printed on a mismatch, body included.
          expect({ status: res.status, body: res.body }).toMatchObject({ status: row.status });
        } else {
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(500);
          expect([401, 403]).not.toContain(res.status);
        }
        if (allowed && row.check) row.check(res, who, vars);
      });
    },
  );
});
