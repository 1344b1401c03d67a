import net from 'node:net';

/** True for `localhost` and addresses in 127.0.0.0/8 or `::1`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) {
    if (host === '::1') return true;
    // An IPv4-mapped loopback address (::ffff:127.x.y.z) is loopback too.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    return mapped !== null && mapped[1]!.startsWith('127.');
  }
  return false;
}

/**
 * Why a URL may not be fetched as (part of) an OIDC issuer, or null when it may: `https` only,
 * or `http` on a loopback address when `allowLoopback` is set; no credentials, query or fragment.
 */
export function issuerUrlProblem(text: string, allowLoopback: boolean): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `'${text}' is not an absolute URL.`;
  }
  if (url.username || url.password) return 'must not carry a user name or password.';
  if (url.search || url.hash) return 'must not carry a query string or a fragment.';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) return `must use https ('${text}' is http on a non-loopback host).`;
    if (!allowLoopback)
      return `must use https: http issuers on loopback addresses are accepted only when the service runs with --allow-loopback-issuers.`;
    return null;
  }
  return `must use https, got '${url.protocol.replace(/:$/, '')}'.`;
}

/** The issuer without one trailing slash: how `provider_url`, discovery `issuer` and `iss` compare. */
export function normalizeIssuer(issuer: string): string {
  return issuer.endsWith('/') ? issuer.slice(0, -1) : issuer;
}
