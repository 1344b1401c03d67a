import { ServiceError } from '../../../src/server/domain/errors.js';
import { OutboundPolicy } from '../../../src/server/net/address-policy.js';
import type { Resolver } from '../../../src/server/net/outbound.js';
import { checkOutboundUrl } from '../../../src/server/net/url-check.js';

/** A resolver that knows one name; every other name does not resolve. */
const resolvesTo =
  (address: string): Resolver =>
  async () => [{ address, family: address.includes(':') ? 6 : 4 }];

async function refusalOf(
  policy: OutboundPolicy,
  url: string,
  resolve: Resolver,
): Promise<ServiceError | null> {
  try {
    await checkOutboundUrl(policy, 'target_url', url, resolve);
    return null;
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
}

describe('checking a URL being configured, after DNS resolution', () => {
  // Everything an operator could list: no entry opens link-local or metadata addresses.
  const everything = new OutboundPolicy(['*.corp.example', '0.0.0.0/0', '::/0']);

  it.each(['169.254.169.254', '169.254.10.20', 'fe80::1', 'fd00:ec2::254', '100.100.100.200'])(
    'refuses a name that resolves to %s, whatever the allow list names',
    async (address) => {
      const refusal = await refusalOf(everything, 'http://hooks.corp.example/x', resolvesTo(address));
      expect(refusal?.code).toBe('outbound_address_refused');
      expect(refusal?.fields?.target_url?.[0]).toMatch(
        /hooks\.corp\.example resolves to .*(link-local|metadata)/,
      );
      // The reason names the host, not the internal address it resolved to.
      expect(refusal?.message).not.toContain(address);
    },
  );

  it('accepts a name resolving to a private address when a host pattern lists it, and refuses it otherwise', async () => {
    const resolve = resolvesTo('10.20.30.40');
    expect(
      await refusalOf(new OutboundPolicy(['*.corp.example']), 'http://jenkins.corp.example/', resolve),
    ).toBeNull();
    expect(
      await refusalOf(new OutboundPolicy(['10.20.0.0/16']), 'http://jenkins.corp.example/', resolve),
    ).toBeNull();
    const refused = await refusalOf(
      new OutboundPolicy(['*.other.example']),
      'http://jenkins.corp.example/',
      resolve,
    );
    expect(refused?.fields?.target_url?.[0]).toMatch(/a private address; .*--outbound-allow/);
  });

  it('accepts a public address without any allow list', async () => {
    expect(
      await refusalOf(new OutboundPolicy([]), 'https://hooks.example/x', resolvesTo('93.184.216.34')),
    ).toBeNull();
  });
});
