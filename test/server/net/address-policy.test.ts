import { allowListProblems, OutboundPolicy } from '../../../src/server/net/address-policy.js';

const NONE = new OutboundPolicy([]);

describe('the outbound address policy', () => {
  it.each([
    ['169.254.169.254', /link-local/],
    ['169.254.1.1', /link-local/],
    ['fe80::1', /link-local/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['::', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['ff02::1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['fd00:ec2::254', /metadata/],
    ['100.100.100.200', /metadata/],
    ['::ffff:169.254.169.254', /link-local/],
    ['::ffff:a9fe:a9fe', /link-local/],
  ])('never connects to %s, whatever the allow list says', (address, why) => {
    const everything = new OutboundPolicy(['0.0.0.0/0', '::/0', '169.254.0.0/16', 'fe80::/10']);
    for (const policy of [NONE, everything]) {
      const refusal = policy.addressProblem(address, null);
      expect(refusal?.refusalClass).toBe('never');
      expect(refusal?.reason).toMatch(why);
    }
  });

  it.each([
    ['127.0.0.1', /loopback/],
    ['127.8.9.10', /loopback/],
    ['::1', /loopback/],
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:7f00:1', /loopback/],
  ])('refuses the loopback address %s unless it is allowed', (address, why) => {
    const refusal = NONE.addressProblem(address, null);
    expect(refusal?.refusalClass).toBe('internal');
    expect(refusal?.reason).toMatch(why);
    expect(refusal?.reason).toMatch(/--outbound-allow/);
    expect(new OutboundPolicy(['127.0.0.0/8', '::1/128']).addressProblem(address, null)).toBeNull();
    expect(new OutboundPolicy(['10.0.0.0/8']).addressProblem(address, null)?.refusalClass).toBe('internal');
  });

  it.each([
    ['10.0.0.1', /private/],
    ['172.16.5.4', /private/],
    ['192.168.1.1', /private/],
    ['::ffff:10.1.2.3', /private/],
    ['100.64.0.1', /CGNAT/],
    ['fd12:3456::1', /unique-local/],
    ['fc00::1', /unique-local/],
  ])(
    'reaches the private address %s until the allow list names destinations, then only those',
    (address, why) => {
      expect(NONE.addressProblem(address, null)).toBeNull();
      const elsewhere = new OutboundPolicy(['198.18.0.0/15', '*.corp.example']);
      const refusal = elsewhere.addressProblem(address, null);
      expect(refusal?.refusalClass).toBe('internal');
      expect(refusal?.reason).toMatch(why);
      expect(refusal?.reason).toMatch(/--outbound-allow/);
      const open = new OutboundPolicy(['0.0.0.0/0', '::/0']);
      expect(open.addressProblem(address, null)).toBeNull();
    },
  );

  it('allows exactly the CIDRs listed', () => {
    const policy = new OutboundPolicy(['10.20.0.0/16', '127.0.0.1/32', '192.168.7.7']);
    expect(policy.addressProblem('10.20.3.4', null)).toBeNull();
    expect(policy.addressProblem('10.21.0.1', null)).not.toBeNull();
    expect(policy.addressProblem('127.0.0.1', null)).toBeNull();
    expect(policy.addressProblem('127.0.0.2', null)).not.toBeNull();
    expect(policy.addressProblem('192.168.7.7', null)).toBeNull();
    expect(policy.addressProblem('::ffff:10.20.0.9', null)).toBeNull();
  });

  it('allows internal addresses of hosts matching a pattern, and only of those', () => {
    const policy = new OutboundPolicy(['*.corp.example', 'jenkins.lan']);
    expect(policy.addressProblem('10.0.0.5', 'ci.corp.example')).toBeNull();
    expect(policy.addressProblem('10.0.0.5', 'a.b.corp.example.')).toBeNull();
    expect(policy.addressProblem('10.0.0.5', 'jenkins.lan')).toBeNull();
    expect(policy.addressProblem('10.0.0.5', 'evilcorp.example')).not.toBeNull();
    expect(policy.addressProblem('10.0.0.5', 'corp.example.attacker.test')).not.toBeNull();
    expect(policy.addressProblem('10.0.0.5', null)).not.toBeNull();
    // A pattern never opens the always-refused ranges.
    expect(policy.addressProblem('169.254.169.254', 'ci.corp.example')?.refusalClass).toBe('never');
  });

  it('names the host, not the address it resolved to, when refusing a name', () => {
    const listed = new OutboundPolicy(['*.corp.example']);
    const reason = listed.addressProblem('10.9.8.7', 'build.internal.example')?.reason ?? '';
    expect(reason).toContain('build.internal.example');
    expect(reason).not.toContain('10.9.8.7');
  });

  it.each(['metadata.google.internal', 'METADATA.google.internal.', 'metadata', 'metadata.goog'])(
    'refuses the cloud metadata name %s before any lookup',
    (name) => {
      const policy = new OutboundPolicy(['*.google.internal', 'metadata']);
      expect(policy.nameProblem(name)?.refusalClass).toBe('never');
    },
  );

  it('names every bad allow-list entry', () => {
    expect(allowListProblems(['10.0.0.0/8', '*.corp.example', '::1/128', 'host.lan'])).toEqual([]);
    const problems = allowListProblems(['10.0.0.0/33', 'http://x', '*.', 'a..b']);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/'10\.0\.0\.0\/33' is neither a CIDR .* nor a host pattern/);
  });
});
