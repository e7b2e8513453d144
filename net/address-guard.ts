// Private-address protection (SSRF guard). A monitor or a webhook must not turn the server into a
// way to reach the machine it runs on, its neighbours or the cloud's metadata service. The
// collector and the webhook channel check the address they are about to connect to (after DNS, so
// a rebinding name cannot slip past a check made earlier; the probe again after every redirect);
// the API pre-checks URL literals with checkTargetUrl so obvious mistakes are refused at creation.
// ALLOW_PRIVATE_TARGETS lifts both. It lives apart from its three users (collector, api,
// alerting) so that none of them imports another for it.
//
// Only ordinary unicast passes: the special-purpose ranges are ipaddr.js's tables (IANA's
// special-purpose registries: private, loopback, link-local, CGNAT, reserved, documentation,
// site-local, ...), kept up to date by that library rather than by hand here. A refusal of an IPv6
// form that carries an IPv4 address names the address it carries. IPv4-mapped addresses are
// judged by it (the kernel dials it); IPv4-compatible (::/96, which Linux routes to the IPv4
// address), IPv4-translated, NAT64, 6to4 and Teredo are refused whatever they carry, since a
// translator or relay reaches networks the collector's own routes do not show (a 6to4 prefix
// embeds a site's public address but numbers the hosts behind it).
//
// Example:
//   blockedReason('10.1.2.3')                     // → 'private address 10.1.2.3'
//   blockedReason('::7f00:1')                     // → 'IPv4-compatible address ::7f00:1 (::/96, embeds loopback address 127.0.0.1)'
//   checkTargetUrl('http://[::1]/', { allowPrivate: false }) // → { ok: false, reason: '…' }

import ipaddr from 'ipaddr.js';
import { BlockList, isIP } from 'node:net';

/** Readable names for ipaddr.js's range names; others are shown as the library names them. */
const LABELS: Record<string, string> = {
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade NAT',
  uniqueLocal: 'unique-local',
  deprecatedSiteLocal: 'site-local',
  rfc6145: 'IPv4-translated',
  rfc6052: 'NAT64',
  teredo: 'Teredo',
  as112: 'AS112',
  as112v6: 'AS112',
  amt: 'AMT',
  discard: 'discard-only',
  droneRemoteIdProtocolEntityTags: 'DRIP',
  segmentRouting: 'segment routing',
};

/** IPv6 ranges whose addresses carry an IPv4 address (RFC 6145, RFC 6052, RFC 3056). */
const EMBEDS_IPV4 = new Set(['rfc6145', 'rfc6052', '6to4']);

/**
 * Cloud metadata and platform services, named on their own so the message says why (most lie in
 * ranges refused anyway; Azure's WireServer 168.63.129.16 is a public address and does not).
 */
const METADATA = new Set([
  '169.254.169.254', // AWS, GCP, Azure, Oracle, DigitalOcean, ...
  '169.254.170.2', // AWS ECS task metadata
  '168.63.129.16', // Azure WireServer (DNS, health probes, VM agent)
  '100.100.100.200', // Alibaba Cloud
  'fd00:ec2::254', // AWS over IPv6
  'fd20:ce::254', // GCP over IPv6
]);

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function ipv4Reason(ip: ipaddr.IPv4): string | null {
  const text = ip.toString();
  if (METADATA.has(text)) return `cloud metadata address ${text}`;
  const range = ip.range();
  return range === 'unicast' ? null : `${LABELS[range] ?? range} address ${text}`;
}

/** The IPv4 address an IPv6 form carries: its last 32 bits, or bits 16 to 47 for 6to4. */
function embeddedIpv4(ip: ipaddr.IPv6, range: string): ipaddr.IPv4 {
  const p = ip.parts;
  const [high = 0, low = 0] = range === '6to4' ? [p[1], p[2]] : [p[6], p[7]];
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function ipv6Reason(ip: ipaddr.IPv6, shown: string): string | null {
  if (ip.isIPv4MappedAddress()) {
    // The kernel dials the IPv4 address itself: judged as that address.
    const inner = ipv4Reason(ip.toIPv4Address());
    return inner === null ? null : `IPv4-mapped address ${shown} (embeds ${inner})`;
  }
  if (METADATA.has(ip.toString())) return `cloud metadata address ${shown}`;
  const range: string = ip.range();
  // ::/96 less :: and ::1, which the library names; it has no entry for the rest of it.
  if (range === 'unicast' && ip.parts.slice(0, 6).every((part) => part === 0)) {
    return `IPv4-compatible address ${shown} (::/96, embeds ${describeIpv4(embeddedIpv4(ip, range))})`;
  }
  if (range === 'unicast') return null;
  const label = LABELS[range] ?? range;
  if (EMBEDS_IPV4.has(range)) return `${label} address ${shown} (embeds ${describeIpv4(embeddedIpv4(ip, range))})`;
  return `${label} address ${shown}`;
}

/** "loopback address 127.0.0.1", or the bare address when it is public. */
function describeIpv4(ip: ipaddr.IPv4): string {
  return ipv4Reason(ip) ?? ip.toString();
}

/** Why connecting to this IP address is refused, or null when it is a public address. */
export function blockedReason(address: string): string | null {
  const shown = stripBrackets(address);
  const family = isIP(shown);
  if (family === 0) return `not an IP address: ${address}`;
  return family === 4 ? ipv4Reason(ipaddr.IPv4.parse(shown)) : ipv6Reason(ipaddr.IPv6.parse(shown), shown);
}

export type AddressGuard = (address: string) => string | null;

const allowAll: AddressGuard = () => null;

/**
 * The connect-time guard: refuses what blockedReason refuses, unless private targets are allowed,
 * or the address falls in one of `allowedRanges` (CIDRs an operator opens on purpose, e.g. one
 * internal subnet). Throws on a malformed range so that a bad setting stops start-up.
 */
export function createAddressGuard(opts: { allowPrivate: boolean; allowedRanges?: readonly string[] }): AddressGuard {
  if (opts.allowPrivate) return allowAll;
  const ranges = opts.allowedRanges ?? [];
  if (ranges.length === 0) return blockedReason;
  const allowed = new BlockList();
  for (const cidr of ranges) {
    const [network = '', bits = '', ...rest] = cidr.split('/');
    const family = isIP(network);
    const prefix = Number(bits);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || rest.length > 0 || !/^\d+$/.test(bits) || prefix > max) {
      throw new Error(`invalid allowed range ${JSON.stringify(cidr)}: expected a CIDR like 10.1.2.0/24 or fd00::/64`);
    }
    allowed.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return (address) => {
    const reason = blockedReason(address);
    if (reason === null) return null;
    const ip = stripBrackets(address);
    return allowed.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6') ? null : reason;
  };
}

export type TargetCheck = { ok: true } | { ok: false; reason: string };

/**
 * Pre-validates a monitor URL before it is stored: http(s) only (or the `schemes` given, e.g.
 * tcp: and tls:), a host present, and, unless
 * private targets are allowed, no literal private address or localhost name. Names that resolve
 * to private addresses are caught later, at connect time, by the probe.
 */
export function checkTargetUrl(url: string, opts: { allowPrivate: boolean; schemes?: readonly string[] }): TargetCheck {
  const schemes = opts.schemes ?? ['http:', 'https:'];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: `not a valid URL: ${JSON.stringify(url)}` };
  }
  if (!schemes.includes(parsed.protocol)) {
    const expected = schemes.map((scheme) => scheme.replace(/:$/, '')).join(' or ');
    return { ok: false, reason: `unsupported scheme ${parsed.protocol.replace(/:$/, '')}: expected ${expected}` };
  }
  if (parsed.hostname === '') return { ok: false, reason: 'the URL has no host' };
  if (opts.allowPrivate) return { ok: true };

  const host = stripBrackets(parsed.hostname).toLowerCase().replace(/\.$/, '');
  if (isIP(host) !== 0) {
    const reason = blockedReason(host);
    return reason === null ? { ok: true } : { ok: false, reason: `${reason} is not allowed (ALLOW_PRIVATE_TARGETS is off)` };
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return { ok: false, reason: `${host} is a loopback name and is not allowed (ALLOW_PRIVATE_TARGETS is off)` };
  }
  return { ok: true };
}
