import crypto, { type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeySetCache } from '../../../src/server/oidc/key-sets.js';
import { OidcRefusal } from '../../../src/server/oidc/refusal.js';
import { readJwt, verifyOidcToken } from '../../../src/server/oidc/verify.js';

/** Signing keys the test controls, published by a loopback issuer under these `kid`s. */
const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const shortRsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const otherCurve = crypto.generateKeyPairSync('ec', { namedCurve: 'secp384r1' });

const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('OIDC token verification', () => {
  let server: http.Server;
  let issuer: string;
  let keys: KeySetCache;
  const now = new Date();
  const seconds = Math.floor(now.getTime() / 1000);

  beforeAll(async () => {
    const jwk = (key: KeyObject, kid: string) => ({ ...key.export({ format: 'jwk' }), kid, use: 'sig' });
    server = http.createServer((req, res) => {
      const body =
        req.url === '/.well-known/openid-configuration'
          ? { issuer, jwks_uri: `${issuer}/jwks` }
          : {
              keys: [
                jwk(rsa.publicKey, 'rsa'),
                jwk(shortRsa.publicKey, 'short'),
                jwk(ec.publicKey, 'ec'),
                jwk(otherCurve.publicKey, 'p384'),
              ],
            };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    keys = new KeySetCache({ clock: () => new Date(), allowLoopback: true });
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: issuer,
    sub: 'repo:owner/repo:ref:refs/heads/main',
    aud: 'airlock',
    iat: seconds,
    exp: seconds + 300,
    ...extra,
  });

  /** A compact JWS over `payload`, signed as `alg` says with `key` (RS256 unless told). */
  const sign = (
    payload: Record<string, unknown>,
    header: Record<string, unknown> = { alg: 'RS256', kid: 'rsa' },
    key: KeyObject = rsa.privateKey,
  ): string => {
    const input = `${part(header)}.${part(payload)}`;
    const signature = crypto.sign(
      'sha256',
      Buffer.from(input),
      header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
    );
    return `${input}.${signature.toString('base64url')}`;
  };

  const reasonOf = async (token: string): Promise<string> => {
    try {
      await verifyOidcToken(readJwt(token), issuer, keys, now);
    } catch (err) {
      if (err instanceof OidcRefusal) return err.reason;
      throw err;
    }
    return 'accepted';
  };

  it('accepts RS256 and ES256 tokens signed by the issuer and returns their claims', async () => {
    const payload = claims({ repository: 'owner/repo' });
    expect(await verifyOidcToken(readJwt(sign(payload)), issuer, keys, now)).toEqual(payload);
    expect(await reasonOf(sign(claims(), { alg: 'ES256', kid: 'ec' }, ec.privateKey))).toBe('accepted');
  });

  it('refuses a token whose signature or signed parts were changed', async () => {
    const [header, payload, signature] = sign(claims()).split('.') as [string, string, string];
    const flipped = Buffer.from(signature, 'base64url');
    flipped[0] ^= 1;
    expect(await reasonOf(`${header}.${payload}.${flipped.toString('base64url')}`)).toBe('bad_signature');
    expect(await reasonOf(`${header}.${part(claims({ sub: 'other' }))}.${signature}`)).toBe('bad_signature');
    // An ES256 signature must be the 64-byte r‖s form; a DER one is refused, not half-read.
    const ecToken = sign(claims(), { alg: 'ES256', kid: 'ec' }, ec.privateKey).split('.');
    const der = crypto.sign('sha256', Buffer.from(`${ecToken[0]}.${ecToken[1]}`), ec.privateKey);
    expect(await reasonOf(`${ecToken[0]}.${ecToken[1]}.${der.toString('base64url')}`)).toBe('bad_signature');
  });

  it('refuses a token signed by another key that names the issuer’s kid', async () => {
    const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(await reasonOf(sign(claims(), { alg: 'RS256', kid: 'rsa' }, stranger.privateKey))).toBe(
      'bad_signature',
    );
  });

  it('refuses keys that do not fit the algorithm: short RSA, another curve, another key type', async () => {
    expect(await reasonOf(sign(claims(), { alg: 'RS256', kid: 'short' }, shortRsa.privateKey))).toBe(
      'unknown_key',
    );
    expect(await reasonOf(sign(claims(), { alg: 'ES256', kid: 'p384' }, otherCurve.privateKey))).toBe(
      'unknown_key',
    );
    // An RS256 header naming the EC key: no RSA key has that kid.
    expect(await reasonOf(sign(claims(), { alg: 'RS256', kid: 'ec' }))).toBe('unknown_key');
  });

  it('refuses header parameters that would change how the token must be read', async () => {
    expect(await reasonOf(sign(claims(), { alg: 'RS256', kid: 'rsa', crit: ['exp'], exp: 1 }))).toBe(
      'malformed_token',
    );
    expect(await reasonOf(sign(claims(), { alg: 'RS256', kid: 'rsa', b64: false }))).toBe('malformed_token');
    expect(await reasonOf(sign(claims(), { alg: 'PS256', kid: 'rsa' }))).toBe('algorithm_not_allowed');
  });

  it('refuses what is not a compact JWS of JSON objects', () => {
    const reading = (token: string) => {
      try {
        readJwt(token);
        return 'read';
      } catch (err) {
        return (err as OidcRefusal).reason;
      }
    };
    const good = sign(claims());
    expect(reading(good)).toBe('read');
    expect(reading(`${good}.extra`)).toBe('malformed_token');
    expect(reading(good.replace('.', '.!'))).toBe('malformed_token');
    expect(reading(`${part({ alg: 'RS256' })}.${part([1, 2])}.c2ln`)).toBe('malformed_token');
    expect(reading(`${Buffer.from('{not json').toString('base64url')}.${part(claims())}.c2ln`)).toBe(
      'malformed_token',
    );
    expect(reading(`.${part(claims())}.c2ln`)).toBe('malformed_token');
  });

  it('requires iss, sub, exp and iat, each of the right type', async () => {
    for (const claim of ['iss', 'sub', 'exp', 'iat']) {
      expect(await reasonOf(sign(claims({ [claim]: undefined })))).toBe('missing_claim');
    }
    expect(await reasonOf(sign(claims({ exp: String(seconds + 300) })))).toBe('invalid_claims');
    expect(await reasonOf(sign(claims({ nbf: 'soon' })))).toBe('invalid_claims');
    expect(await reasonOf(sign(claims({ sub: 42 })))).toBe('invalid_claims');
    expect(await reasonOf(sign(claims({ iss: `${issuer}/other` })))).toBe('wrong_issuer');
  });

  it('tolerates 60 seconds of clock skew on exp, nbf and iat, and no more', async () => {
    expect(await reasonOf(sign(claims({ exp: seconds - 59 })))).toBe('accepted');
    expect(await reasonOf(sign(claims({ exp: seconds - 61 })))).toBe('expired');
    expect(await reasonOf(sign(claims({ nbf: seconds + 59 })))).toBe('accepted');
    expect(await reasonOf(sign(claims({ nbf: seconds + 61 })))).toBe('not_yet_valid');
    expect(await reasonOf(sign(claims({ iat: seconds + 59 })))).toBe('accepted');
    expect(await reasonOf(sign(claims({ iat: seconds + 61 })))).toBe('issued_in_future');
  });
});
