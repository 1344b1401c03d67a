import { startTestServer, type TestServer } from '../../helpers/server.js';

interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { required?: boolean; content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema: { required?: string[] } }> }>;
  security?: Record<string, unknown>[];
}

describe('the OpenAPI document describes what the routes answer', () => {
  let server: TestServer;
  let paths: Record<string, Record<string, Operation>>;

  beforeAll(async () => {
    server = await startTestServer();
    paths = ((await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: typeof paths }).paths;
  });
  afterAll(() => server.close());

  const op = (method: string, path: string): Operation => {
    const found = paths[path]?.[method];
    if (!found) throw new Error(`the document has no ${method.toUpperCase()} ${path}`);
    return found;
  };

  it('documents a 204 without a body, as the route sends it', async () => {
    const del = op('delete', '/repos/{owner}/{repo}/');
    expect(del.responses['204']).toBeDefined();
    expect(del.responses['204']!.content).toBeUndefined();
    const res = await fetch(`${server.url}/repos/${server.org}/`, {
      method: 'POST',
      headers: { 'X-Api-Key': server.adminKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'gone', slug: 'gone' }),
    });
    expect(res.status).toBe(201);
    const gone = await fetch(`${server.url}/repos/${server.org}/gone/`, {
      method: 'DELETE',
      headers: { 'X-Api-Key': server.adminKey },
    });
    expect(gone.status).toBe(204);
    expect(await gone.text()).toBe('');
  });

  it('documents the metrics as text, the media type they are served in', async () => {
    expect(Object.keys(op('get', '/metrics').responses['200']!.content!)).toEqual(['text/plain']);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('documents the error body on every operation of the JSON API, and not on the npm registry', () => {
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const error = operation.responses['4XX']?.content?.['application/json']?.schema;
        if (path.startsWith('/npm/'))
          expect({ method, path, error }).toEqual({ method, path, error: undefined });
        else
          expect({ method, path, required: error?.required }).toEqual({
            method,
            path,
            required: ['detail', 'code'],
          });
      }
    }
  });

  it('names the npm registry path wildcard as a path parameter', () => {
    const get = op('get', '/npm/{owner}/{repo}/{path}');
    expect(get.parameters?.filter((p) => p.in === 'path').map((p) => p.name)).toEqual([
      'owner',
      'repo',
      'path',
    ]);
    expect(Object.keys(paths).some((p) => p.includes('*'))).toBe(false);
  });

  it('describes the raw upload bodies: bytes for PUT, a multipart form for POST', () => {
    expect(Object.keys(op('put', '/uploads/{identifier}').requestBody!.content)).toEqual([
      'application/octet-stream',
    ]);
    expect(Object.keys(op('post', '/uploads/{identifier}').requestBody!.content)).toEqual([
      'multipart/form-data',
    ]);
    expect(Object.keys(op('post', '/pypi/{owner}/{repo}/').requestBody!.content)).toEqual([
      'multipart/form-data',
    ]);
  });

  it('marks request bodies required, as the routes refuse a request without one', async () => {
    expect(op('post', '/orgs/{org}/vulnerability-policy/').requestBody).toMatchObject({ required: true });
    expect(op('put', '/uploads/{identifier}').requestBody).toMatchObject({ required: true });
    const res = await fetch(`${server.url}/orgs/${server.org}/vulnerability-policy/`, {
      method: 'POST',
      headers: { 'X-Api-Key': server.adminKey },
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { fields: Record<string, string[]> }).fields).toEqual({
      body: ['must be object'],
    });
  });

  it('marks the public routes as needing no credential and the others as needing one', () => {
    expect(op('post', '/openid/{org}/').security).toContainEqual({});
    expect(op('get', '/status/check/basic/').security).toContainEqual({});
    expect(op('get', '/repos/{owner}/').security).toBeUndefined();
  });
});
