import ipaddr from 'ipaddr.js';

/**
 * Which outbound addresses the service may connect to (webhook receivers, OIDC issuers).
 *
 * Three classes of address:
 * - never: unspecified (`0.0.0.0/8`, `::`), link-local (`169.254.0.0/16`, `fe80::/10`),
 *   multicast, broadcast, reserved and special-purpose ranges, and the cloud metadata
 *   endpoints — whatever the allow list says, since nothing a repository Admin configures has a
 *   reason to reach them and they are what an attacker aims at;
 * - loopback (`127.0.0.0/8`, `::1`): only when the allow list names it, since it is the service's
 *   own host;
 * - private (`10/8`, `172.16/12`, `192.168/16`), shared CGNAT space (`100.64/10`) and IPv6
 *   unique-local (`fc00::/7`): allowed while the allow list is empty (a Jenkins on the office LAN
 *   is the common receiver); once the operator lists destinations, only the listed ones;
 * - public: everything else.
 *
 * IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are judged as the IPv4 address they carry.
 */

/** Why an address class is refused: `never` cannot be allowed, `internal` can. */
export type RefusalClass = 'never' | 'internal';

/** A refused outbound target; `reason` is safe to show to whoever configured the target. */
export class OutboundRefusal extends Error {
  override name = 'OutboundRefusal';

  constructor(
    readonly reason: string,
    readonly refusalClass: RefusalClass,
  ) {
    super(reason);
  }
}

/** Host names of cloud metadata services, refused before any lookup. */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
]);

/** Metadata addresses outside the always-refused ranges (AWS IPv6 IMDS, Alibaba Cloud). */
const METADATA_ADDRESSES = ['fd00:ec2::254', '100.100.100.200'].map((a) =>
  ipaddr.parse(a).toNormalizedString(),
);

const IPV4_INTERNAL: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  carrierGradeNat: 'a shared (CGNAT) address',
};
/** Internal ranges reachable without an allow list: everything internal but the service's own host. */
const OPEN_BY_DEFAULT = new Set(['private', 'carrierGradeNat', 'uniqueLocal']);
const IPV4_PUBLIC = new Set(['unicast', 'as112', 'amt']);
const IPV6_INTERNAL: Record<string, string> = {
  loopback: 'a loopback address',
  uniqueLocal: 'a unique-local address',
};
/** IPv6 ranges that embed an IPv4 address routed by translation: judged by that address. */
const IPV6_EMBEDDING = new Set(['rfc6145', 'rfc6052', '6to4']);
/** IPv4-compatible addresses (`::a.b.c.d`, deprecated) may still reach IPv4 hosts on some stacks. */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** One entry of an allow list: a CIDR (a bare address counts as /32 or /128) or a host pattern. */
type AllowEntry =
  { kind: 'cidr'; cidr: Cidr } | { kind: 'host'; exact: string } | { kind: 'suffix'; suffix: string };

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Lower case, without brackets or one trailing dot: how host names and literals compare. */
export function canonicalHost(hostname: string): string {
  return hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
}

/**
 * Parses one allow-list entry; throws an error naming the entry and the accepted forms when it
 * is neither a CIDR nor a host pattern.
 */
function parseAllowEntry(text: string): AllowEntry {
  const entry = text.trim().toLowerCase();
  if (ipaddr.isValidCIDR(entry)) {
    const [addr, bits] = ipaddr.parseCIDR(entry);
    // A mapped CIDR (::ffff:10.0.0.0/104) means the IPv4 range, which is how addresses are judged.
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
      return { kind: 'cidr', cidr: [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96] };
    return { kind: 'cidr', cidr: [addr, bits] };
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(entry)) return { kind: 'cidr', cidr: [ipaddr.parse(entry), 32] };
  if (ipaddr.IPv6.isValid(entry)) return { kind: 'cidr', cidr: [ipaddr.parse(entry), 128] };
  const wildcard = entry.startsWith('*.');
  const name = wildcard ? entry.slice(2) : entry;
  if (name.length > 0 && name.length <= 253 && name.split('.').every((l) => HOST_LABEL.test(l))) {
    return wildcard ? { kind: 'suffix', suffix: '.' + name } : { kind: 'host', exact: name };
  }
  throw new Error(
    `'${text}' is neither a CIDR (10.20.0.0/16, 127.0.0.1/32, fd00::/8) nor a host pattern (jenkins.corp.example, *.corp.example).`,
  );
}

/** Checks an allow list; returns one message per bad entry (empty when all are good). */
export function allowListProblems(entries: readonly string[]): string[] {
  const problems: string[] = [];
  for (const entry of entries) {
    try {
      parseAllowEntry(entry);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  return problems;
}

/** Decides which outbound addresses may be connected to, given the operator's allow list. */
export class OutboundPolicy {
  private readonly entries: AllowEntry[];

  /** `allow`: CIDRs and host patterns whose internal addresses may be reached; throws on a bad entry. */
  constructor(readonly allow: readonly string[] = []) {
    this.entries = allow.map(parseAllowEntry);
  }

  /** Why a host name may never be connected to (a cloud metadata name), or null. */
  nameProblem(hostname: string): OutboundRefusal | null {
    const host = canonicalHost(hostname);
    if (METADATA_NAMES.has(host)) {
      return new OutboundRefusal(`${host} is a cloud metadata service name`, 'never');
    }
    return null;
  }

  /**
   * Why `address` may not be connected to, or null when it may. `hostname` is the name it was
   * resolved from (null for a literal address): host patterns of the allow list match it, and a
   * refusal names the host rather than the address, so the reason does not disclose internal DNS.
   */
  addressProblem(address: string, hostname: string | null): OutboundRefusal | null {
    if (!ipaddr.isValid(address)) return new OutboundRefusal(`'${address}' is not an IP address`, 'never');
    const addr = unwrap(ipaddr.parse(address));
    const subject = hostname === null ? addr.toString() : `${canonicalHost(hostname)} resolves to`;
    const label = hostname === null ? ' is' : '';
    const normalized = addr.toNormalizedString();
    if (METADATA_ADDRESSES.includes(normalized)) {
      return new OutboundRefusal(`${subject}${label} a cloud metadata address`, 'never');
    }
    const internal = internalLabel(addr);
    if (internal === undefined) return null;
    if (internal.cls === 'never')
      return new OutboundRefusal(`${subject}${label} ${internal.text}, which is never allowed`, 'never');
    if (this.allows(addr, hostname)) return null;
    if (this.entries.length === 0 && OPEN_BY_DEFAULT.has(internal.range)) return null;
    const rule =
      this.entries.length > 0 && OPEN_BY_DEFAULT.has(internal.range)
        ? 'once --outbound-allow (outbound.allow) lists destinations, the service reaches private addresses only when it names them'
        : 'the service reaches such addresses only when --outbound-allow (outbound.allow) names them';
    return new OutboundRefusal(`${subject}${label} ${internal.text}; ${rule}`, 'internal');
  }

  private allows(addr: ipaddr.IPv4 | ipaddr.IPv6, hostname: string | null): boolean {
    const host = hostname === null ? null : canonicalHost(hostname);
    return this.entries.some((e) => {
      if (e.kind === 'cidr') return e.cidr[0].kind() === addr.kind() && addr.match(e.cidr);
      if (host === null) return false;
      return e.kind === 'host' ? host === e.exact : host.endsWith(e.suffix);
    });
  }
}

/** The IPv4 address an IPv6 address carries when it is mapped or translated; the address itself otherwise. */
function unwrap(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (addr.kind() === 'ipv4') return addr;
  const v6 = addr as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  const range = v6.range();
  if (range === 'rfc6145' || range === 'rfc6052') {
    const bytes = v6.toByteArray();
    return ipaddr.fromByteArray(bytes.slice(12));
  }
  if (range === '6to4') {
    const bytes = v6.toByteArray();
    return ipaddr.fromByteArray(bytes.slice(2, 6));
  }
  return v6;
}

function internalLabel(
  addr: ipaddr.IPv4 | ipaddr.IPv6,
): { cls: RefusalClass; text: string; range: string } | undefined {
  if (addr.kind() === 'ipv4') {
    const range = (addr as ipaddr.IPv4).range();
    if (IPV4_PUBLIC.has(range)) return undefined;
    const internal = IPV4_INTERNAL[range];
    if (internal) return { cls: 'internal', text: internal, range };
    return { cls: 'never', text: `a ${describe(range)} address`, range };
  }
  const v6 = addr as ipaddr.IPv6;
  const range = v6.range();
  if (range === 'unicast') {
    if (v6.match(IPV4_COMPATIBLE)) return { cls: 'never', text: 'an IPv4-compatible address', range };
    return undefined;
  }
  const internal = IPV6_INTERNAL[range];
  if (internal) return { cls: 'internal', text: internal, range };
  if (IPV6_EMBEDDING.has(range)) return undefined;
  return { cls: 'never', text: `a ${describe(range)} address`, range };
}

function describe(range: string): string {
  const names: Record<string, string> = {
    unspecified: 'unspecified ("this network")',
    linkLocal: 'link-local',
    multicast: 'multicast',
    broadcast: 'broadcast',
    reserved: 'reserved',
    benchmarking: 'benchmarking',
    teredo: 'Teredo',
  };
  return names[range] ?? `special-purpose (${range})`;
}

const allowLists = new WeakMap<readonly string[], OutboundPolicy>();

/** The policy of a (frozen) allow list, parsed once. */
export function policyFor(allow: readonly string[]): OutboundPolicy {
  let policy = allowLists.get(allow);
  if (!policy) {
    policy = new OutboundPolicy(allow);
    allowLists.set(allow, policy);
  }
  return policy;
}

/** The allow-list entries that let loopback addresses through (`--allow-loopback-issuers`). */
export const LOOPBACK_CIDRS: readonly string[] = ['127.0.0.0/8', '::1/128'];
