import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startDevIssuer, type DevIssuer } from '../../../src/server/oidc/dev-issuer.js';
import { serveDevIssuer } from '../../../src/server/commands/dev-issuer.js';

describe('the development OIDC issuer', () => {
  let issuer: DevIssuer;
  beforeAll(async () => {
    issuer = await startDevIssuer({ claims: { repository_owner: 'acme' } });
  });
  afterAll(async () => issuer.close());

  it('serves discovery and a key set that verify its tokens with GitHub Actions claims', async () => {
    expect(issuer.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const doc = (await (await fetch(`${issuer.issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    expect(doc.issuer).toBe(issuer.issuer);
    const { payload, protectedHeader } = await jwtVerify(
      await issuer.sign({ run_id: '42' }),
      createRemoteJWKSet(new URL(doc.jwks_uri)),
      { issuer: issuer.issuer, audience: 'airlock' },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      sub: 'repo:owner/repo:ref:refs/heads/main',
      repository: 'owner/repo',
      repository_owner: 'acme',
      workflow: 'CI',
      ref: 'refs/heads/main',
      sha: expect.stringMatching(/^[0-9a-f]{40}$/),
      run_id: '42',
      run_attempt: '1',
      actor: 'octocat',
      job_workflow_ref: expect.stringContaining('@refs/heads/main'),
      event_name: 'push',
      jti: expect.any(String),
    });
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('answers as the Actions ID-token endpoint does, with the requested audience', async () => {
    const res = await fetch(`${issuer.actionsTokenUrl}&audience=${encodeURIComponent('airlock')}`, {
      headers: { authorization: `Bearer ${issuer.actionsToken}` },
    });
    expect(res.status).toBe(200);
    const { value } = (await res.json()) as { value: string };
    const jwks = createRemoteJWKSet(new URL(`${issuer.issuer}/.well-known/jwks`));
    await expect(jwtVerify(value, jwks, { audience: 'airlock' })).resolves.toBeDefined();

    const bare = (await (
      await fetch(issuer.actionsTokenUrl, { headers: { authorization: `Bearer ${issuer.actionsToken}` } })
    ).json()) as { value: string };
    await expect(jwtVerify(bare.value, jwks, { audience: 'https://github.com/acme' })).resolves.toBeDefined();
  });

  it('serves @actions/core getIDToken as a runner would', async () => {
    const core = await import('@actions/core');
    const saved = {
      url: process.env.ACTIONS_ID_TOKEN_REQUEST_URL,
      token: process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
    };
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = issuer.actionsTokenUrl;
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = issuer.actionsToken;
    try {
      const token = await core.getIDToken('airlock');
      const jwks = createRemoteJWKSet(new URL(`${issuer.issuer}/.well-known/jwks`));
      await expect(
        jwtVerify(token, jwks, { issuer: issuer.issuer, audience: 'airlock' }),
      ).resolves.toBeDefined();
    } finally {
      write.mockRestore();
      for (const [name, value] of [
        ['ACTIONS_ID_TOKEN_REQUEST_URL', saved.url],
        ['ACTIONS_ID_TOKEN_REQUEST_TOKEN', saved.token],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('refuses the ID-token endpoint without the right bearer', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: issuer.actionsToken },
    ];
    for (const headers of attempts) {
      const res = await fetch(`${issuer.actionsTokenUrl}&audience=airlock`, { headers });
      expect(res.status).toBe(401);
    }
  });

  it('signs with a chosen kid, algorithm and lifetime, and drops claims set to undefined', async () => {
    const token = await issuer.sign({ repository: undefined }, { kid: 'k1', expiresIn: 60 });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: 'k1' });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      number
    >;
    expect(payload).not.toHaveProperty('repository');
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(decodeProtectedHeader(await issuer.sign({}, { alg: 'none' })).alg).toBe('none');
    expect(decodeProtectedHeader(await issuer.sign({}, { alg: 'HS256' })).alg).toBe('HS256');
    expect(decodeProtectedHeader(await issuer.sign({}, { alg: 'ES256' })).alg).toBe('ES256');
    await expect(issuer.sign({}, { alg: 'PS512' })).rejects.toThrow(/cannot sign with 'PS512'/);
  });

  it('publishes only the new keys after a rotation', async () => {
    const rotating = await startDevIssuer();
    try {
      const before = decodeProtectedHeader(await rotating.sign({})).kid;
      await rotating.rotateKey();
      const after = decodeProtectedHeader(await rotating.sign({})).kid;
      expect(after).not.toBe(before);
      const { keys } = (await (await fetch(`${rotating.issuer}/.well-known/jwks`)).json()) as {
        keys: Array<{ kid: string }>;
      };
      expect(keys.map((k) => k.kid)).toContain(after);
      expect(keys.map((k) => k.kid)).not.toContain(before);
    } finally {
      await rotating.close();
    }
  });

  it('listens on loopback only', async () => {
    await expect(startDevIssuer({ host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
  });

  it('runs as a command that prints the issuer and the Actions variables as JSON, until stopped', async () => {
    const out: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let printedLine!: () => void;
    const printed = new Promise<void>((resolve) => (printedLine = resolve));
    const io = {
      out: (t: string) => {
        out.push(t);
        printedLine();
      },
      err: (t: string) => out.push(t),
      env: {},
    };
    const running = serveDevIssuer(['--port', '0'], io, stopped);
    await printed;
    const info = JSON.parse(out[0]!) as Record<string, string>;
    expect(Object.keys(info)).toEqual([
      'issuer',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
    ]);
    const res = await fetch(`${info.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=airlock`, {
      headers: { authorization: `Bearer ${info.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
    });
    expect(res.status).toBe(200);
    stop();
    expect(await running).toBe(0);
    await expect(fetch(`${info.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
  });

  it('runs as `airlock-server dev-issuer` and stops cleanly on SIGTERM', async () => {
    const bin = fileURLToPath(new URL('../../../bin/airlock-server.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'dev-issuer', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
      const info = JSON.parse(chunk.toString()) as { issuer: string };
      const doc = (await (await fetch(`${info.issuer}/.well-known/openid-configuration`)).json()) as {
        issuer: string;
      };
      expect(doc.issuer).toBe(info.issuer);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('answers --help with its usage instead of starting', async () => {
    const out: string[] = [];
    const code = await serveDevIssuer(
      ['--help'],
      { out: (t) => out.push(t), err: () => undefined, env: {} },
      new Promise(() => undefined),
    );
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/^Usage: airlock-server dev-issuer \[--port P\]/);
  });

  it('refuses a bad port', async () => {
    const err: string[] = [];
    const code = await serveDevIssuer(
      ['--port', 'x'],
      { out: () => undefined, err: (t) => err.push(t), env: {} },
      Promise.resolve(),
    );
    expect(code).toBe(2);
    expect(err.join('')).toContain('--port');
  });
});
