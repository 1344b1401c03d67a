import http from 'node:http';

/** How one run of exchanges went. */
export interface LoadResult {
  exchanges: number;
  seconds: number;
  perSecond: number;
  /** Median time of one exchange, in ms. */
  medianMs: number;
}

/**
 * Exchanges every token once against `url` (`POST /openid/{org}/`) with `inFlight` requests
 * outstanding at any time, over kept-alive connections, and times the whole run. The client is
 * node:http with prepared bodies so that it costs the measured process as little as it can.
 */
export async function runExchanges(
  url: string,
  org: string,
  serviceSlug: string,
  tokens: string[],
  inFlight: number,
): Promise<LoadResult> {
  const target = new URL(`/openid/${org}/`, url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  const bodies = tokens.map((t) => Buffer.from(JSON.stringify({ oidc_token: t, service_slug: serviceSlug })));
  const latencies: number[] = [];
  const one = (body: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.push(performance.now() - started);
            if (res.statusCode === 200) resolve();
            else
              reject(new Error(`exchange answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  try {
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < bodies.length) await one(bodies[next++]!);
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      exchanges: bodies.length,
      seconds,
      perSecond: bodies.length / seconds,
      medianMs: latencies[Math.floor(latencies.length / 2)]!,
    };
  } finally {
    agent.destroy();
  }
}
