import nock from 'nock';

/**
 * nock for GitHub's API in tests: real network is refused except loopback (in-process services
 * stay reachable), and nock is removed after the file so the next file in the worker can patch
 * the process again.
 */
nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\]|::1)(:\d+)?$/.test(host));

afterAll(() => {
  nock.cleanAll();
  nock.restore();
});

/** GitHub's API origin, as `@actions/github` calls it. */
export const GITHUB_API = 'https://api.github.com';

/** An interceptor scope for GitHub's API. */
export function githubApi(): nock.Scope {
  return nock(GITHUB_API);
}

export { nock };
