import { checkClaimRules, isWellFormedRule, matchClaims } from '../../../src/server/oidc/claim-rules.js';
import { isLoopbackHost, issuerUrlProblem, normalizeIssuer } from '../../../src/server/oidc/issuer-url.js';

describe('claim rules', () => {
  it('accepts exact values and a trailing ".*", and nothing else with a star', () => {
    expect(isWellFormedRule('repo:acme/app:ref:refs/heads/main')).toBe(true);
    expect(isWellFormedRule('repo:acme/.*')).toBe(true);
    expect(isWellFormedRule('repo:acme/.*:ref')).toBe(false);
    expect(isWellFormedRule('repo:acme/*')).toBe(false);
    expect(isWellFormedRule('*.*')).toBe(false);
    expect(isWellFormedRule('a.*.*')).toBe(false);
  });

  it('names each bad claim when checking a rule set', () => {
    expect(checkClaimRules({ repository_owner: 'acme', ref: 'refs/heads/.*' })).toEqual({});
    expect(Object.keys(checkClaimRules({ sub: 'a*', ref: 'x.*y', ok: 'fine' }))).toEqual(['sub', 'ref']);
    expect(checkClaimRules({})).toHaveProperty('claims');
    expect(checkClaimRules({ sub: '.*' })).toHaveProperty('claims');
    expect(checkClaimRules({ sub: '' })).toHaveProperty('sub');
  });

  it('requires every rule to match: equality, or a prefix for ".*"', () => {
    const rules = { repository_owner: 'acme', ref: 'refs/heads/.*' };
    expect(matchClaims(rules, { repository_owner: 'acme', ref: 'refs/heads/main' })).toEqual({ ok: true });
    expect(matchClaims(rules, { repository_owner: 'acme', ref: 'refs/tags/v1' })).toEqual({
      ok: false,
      reason: 'claim_mismatch',
      claim: 'ref',
    });
    expect(matchClaims(rules, { ref: 'refs/heads/main' })).toEqual({
      ok: false,
      reason: 'claim_missing',
      claim: 'repository_owner',
    });
    expect(matchClaims(rules, { repository_owner: 'acme-evil', ref: 'refs/heads/main' })).toMatchObject({
      ok: false,
    });
  });

  it('treats a dot as a literal character, not a pattern', () => {
    expect(matchClaims({ sub: 'repo:a.b' }, { sub: 'repo:aXb' })).toMatchObject({ ok: false });
    expect(matchClaims({ sub: 'repo:a.*' }, { sub: 'repo:a' })).toEqual({ ok: true });
  });

  it('compares numbers by their text, matches a member of an array claim, and never an object', () => {
    expect(matchClaims({ run_id: '42' }, { run_id: 42 })).toEqual({ ok: true });
    expect(matchClaims({ aud: 'airlock' }, { aud: ['x', 'airlock'] })).toEqual({ ok: true });
    expect(matchClaims({ ctx: '.*' }, { ctx: { a: 1 } })).toMatchObject({
      ok: false,
      reason: 'claim_mismatch',
    });
  });

  it('never matches a malformed rule, even against the same text', () => {
    expect(matchClaims({ sub: 'repo:*' }, { sub: 'repo:*' })).toMatchObject({
      ok: false,
      reason: 'invalid_rule',
    });
    expect(matchClaims({ sub: 'a.*b' }, { sub: 'a.*b' })).toMatchObject({
      ok: false,
      reason: 'invalid_rule',
    });
  });
});

describe('issuer URLs', () => {
  it('knows the loopback hosts', () => {
    for (const host of ['localhost', '127.0.0.1', '127.8.9.10', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host)).toBe(true);
    }
    for (const host of ['10.0.0.1', 'example.com', '128.0.0.1', '::2', 'localhost.example.com']) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });

  it('accepts https, and http on loopback only when allowed', () => {
    expect(issuerUrlProblem('https://token.actions.githubusercontent.com', false)).toBeNull();
    expect(issuerUrlProblem('http://127.0.0.1:8080', true)).toBeNull();
    expect(issuerUrlProblem('http://[::1]:8080', true)).toBeNull();
    expect(issuerUrlProblem('http://127.0.0.1:8080', false)).toMatch(/--allow-loopback-issuers/);
    expect(issuerUrlProblem('http://10.0.0.1', true)).toMatch(/https/);
    expect(issuerUrlProblem('https://x.example.com/?a=1', false)).toMatch(/query/);
    expect(issuerUrlProblem('file:///etc/passwd', true)).toMatch(/https/);
  });

  it('compares issuers modulo one trailing slash', () => {
    expect(normalizeIssuer('https://a.example.com/')).toBe('https://a.example.com');
    expect(normalizeIssuer('https://a.example.com//')).toBe('https://a.example.com/');
  });
});
