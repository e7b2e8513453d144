// Private-address protection (SSRF guard). A monitor must not turn the collector into a way to
// reach the machine it runs on, its neighbours or the cloud's metadata service. The probe checks
// the address it is about to connect to (after DNS, so a rebinding name cannot slip past a check
// made earlier), and again after every redirect; the API pre-checks URL literals with
// checkTargetUrl so obvious mistakes are refused at creation. ALLOW_PRIVATE_TARGETS lifts both.
//
// Example:
//   blockedReason('10.1.2.3')                     // → 'private address 10.1.2.3 (10.0.0.0/8)'
//   checkTargetUrl('http://[::1]/', { allowPrivate: false }) // → { ok: false, reason: '…' }

import { BlockList, isIP } from 'node:net';

type Range = { network: string; prefix: number; family: 'ipv4' | 'ipv6'; label: string };

const RANGES: readonly Range[] = [
  { network: '0.0.0.0', prefix: 8, family: 'ipv4', label: 'unspecified' },
  { network: '10.0.0.0', prefix: 8, family: 'ipv4', label: 'private' },
  { network: '100.64.0.0', prefix: 10, family: 'ipv4', label: 'carrier-grade NAT' },
  { network: '127.0.0.0', prefix: 8, family: 'ipv4', label: 'loopback' },
  { network: '169.254.0.0', prefix: 16, family: 'ipv4', label: 'link-local' },
  { network: '172.16.0.0', prefix: 12, family: 'ipv4', label: 'private' },
  { network: '192.0.0.0', prefix: 24, family: 'ipv4', label: 'IETF protocol assignment' },
  { network: '192.168.0.0', prefix: 16, family: 'ipv4', label: 'private' },
  { network: '198.18.0.0', prefix: 15, family: 'ipv4', label: 'benchmarking' },
  { network: '224.0.0.0', prefix: 4, family: 'ipv4', label: 'multicast' },
  { network: '240.0.0.0', prefix: 4, family: 'ipv4', label: 'reserved' },
  { network: '::', prefix: 128, family: 'ipv6', label: 'unspecified' },
  { network: '::1', prefix: 128, family: 'ipv6', label: 'loopback' },
  { network: 'fc00::', prefix: 7, family: 'ipv6', label: 'unique-local' },
  { network: 'fe80::', prefix: 10, family: 'ipv6', label: 'link-local' },
  { network: 'ff00::', prefix: 8, family: 'ipv6', label: 'multicast' },
  // NAT64 and 6to4 embed an IPv4 address; refuse them wholesale rather than decode the inner one.
  { network: '64:ff9b::', prefix: 96, family: 'ipv6', label: 'NAT64' },
  { network: '2002::', prefix: 16, family: 'ipv6', label: '6to4' },
];

/** Named on their own so the message says why, even though the ranges above cover them too. */
const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254', '169.254.170.2']);

// One list per range so a refusal can name the range; BlockList also matches IPv4-mapped IPv6
// (::ffff:10.0.0.1) against the IPv4 rules.
const LISTS = RANGES.map((range) => {
  const list = new BlockList();
  list.addSubnet(range.network, range.prefix, range.family);
  return { range, list };
});

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Why connecting to this IP address is refused, or null when it is a public address. */
export function blockedReason(address: string): string | null {
  const ip = stripBrackets(address);
  const family = isIP(ip);
  if (family === 0) return `not an IP address: ${address}`;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (METADATA.has(ip.toLowerCase()) || (mapped !== undefined && METADATA.has(mapped))) {
    return `cloud metadata address ${ip}`;
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const { range, list } of LISTS) {
    if (list.check(ip, type)) return `${range.label} address ${ip} (${range.network}/${range.prefix})`;
  }
  return null;
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
 * Pre-validates a monitor URL before it is stored: http(s) only, a host present, and, unless
 * private targets are allowed, no literal private address or localhost name. Names that resolve
 * to private addresses are caught later, at connect time, by the probe.
 */
export function checkTargetUrl(url: string, opts: { allowPrivate: boolean }): TargetCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: `not a valid URL: ${JSON.stringify(url)}` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, reason: `unsupported scheme ${parsed.protocol.replace(/:$/, '')}: expected http or https` };
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
