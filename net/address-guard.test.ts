// The guard's verdicts, one row per kind of address (IPv6 forms that embed an IPv4 address
// included), and the API's URL pre-check.

import { describe, expect, it } from 'vitest';
import { blockedReason, checkTargetUrl, createAddressGuard } from './address-guard.ts';

describe('blockedReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.20.30.40', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.10.10', 'link-local'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['fd12:3456::1', 'unique-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:7f00:1', 'loopback'],
    ['169.254.169.254', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['168.63.129.16', 'cloud metadata'],
    ['::ffff:168.63.129.16', 'cloud metadata'],
    // IPv4-compatible (::/96, deprecated): Linux routes ::127.0.0.1 like an IPv4 address.
    ['::7f00:1', 'IPv4-compatible'],
    ['::a9fe:a9fe', 'IPv4-compatible'],
    ['::808:808', 'IPv4-compatible'],
    ['::ffff:0:7f00:1', 'IPv4-translated'],
    ['64:ff9b::7f00:1', 'NAT64'],
    ['64:ff9b::808:808', 'NAT64'],
    ['64:ff9b:1::1', 'NAT64'],
    ['2002:7f00:1::1', '6to4'],
    ['2002:c0a8:101::1', '6to4'],
    ['2002:808:808::1', '6to4'],
    ['2001::1', 'Teredo'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['fec0::1', 'site-local'],
    ['2001:db8::1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
  ])('refuses %s as %s', (address, label) => {
    expect(blockedReason(address)).toContain(label);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8', '168.63.129.17'])(
    'allows public %s',
    (address) => {
      expect(blockedReason(address)).toBeNull();
    },
  );

  it('says which IPv4 address an IPv6 form embeds', () => {
    expect(blockedReason('::7f00:1')).toBe('IPv4-compatible address ::7f00:1 (::/96, embeds loopback address 127.0.0.1)');
    expect(blockedReason('64:ff9b::a9fe:a9fe')).toBe('NAT64 address 64:ff9b::a9fe:a9fe (embeds cloud metadata address 169.254.169.254)');
    expect(blockedReason('2002:a00:1::')).toBe('6to4 address 2002:a00:1:: (embeds private address 10.0.0.1)');
    expect(blockedReason('2002:808:808::1')).toBe('6to4 address 2002:808:808::1 (embeds 8.8.8.8)');
  });
});

describe('createAddressGuard', () => {
  it('allows everything when private targets are allowed', () => {
    expect(createAddressGuard({ allowPrivate: true })('127.0.0.1')).toBeNull();
  });

  it('opens only the ranges it is given', () => {
    const guard = createAddressGuard({ allowPrivate: false, allowedRanges: ['10.1.2.0/24'] });
    expect(guard('10.1.2.7')).toBeNull();
    expect(guard('10.1.3.7')).toContain('private');
    expect(guard('8.8.8.8')).toBeNull();
  });

  it('refuses a malformed range with its value', () => {
    expect(() => createAddressGuard({ allowPrivate: false, allowedRanges: ['10.1.2.0'] })).toThrow(/"10\.1\.2\.0".*CIDR/);
  });
});

describe('checkTargetUrl', () => {
  const off = { allowPrivate: false };
  it.each([
    ['http://127.0.0.1:8080/', /loopback address 127\.0\.0\.1.*ALLOW_PRIVATE_TARGETS/],
    ['http://[::1]/', /loopback address ::1/],
    ['http://localhost:3000/', /localhost is a loopback name/],
    ['http://app.localhost/', /loopback name/],
    ['http://2130706433/', /loopback address 127\.0\.0\.1/],
    ['http://169.254.169.254/latest/meta-data', /cloud metadata/],
    ['http://[::ffff:192.168.0.1]/', /private/],
    ['http://[::127.0.0.1]:8080/', /IPv4-compatible address ::7f00:1.*ALLOW_PRIVATE_TARGETS/],
    ['http://[::ffff:0:127.0.0.1]/', /IPv4-translated/],
    ['http://[64:ff9b::10.0.0.1]/', /NAT64/],
    ['http://[64:ff9b:1::a00:1]/', /NAT64/],
    ['http://[2002:a00:1::]/', /6to4 .*private address 10\.0\.0\.1/],
    ['http://[2001:0:abcd::1]/', /Teredo/],
    ['http://[fec0::1]/', /site-local/],
    ['http://168.63.129.16/', /cloud metadata address 168\.63\.129\.16/],
    ['ftp://example.com/', /unsupported scheme ftp: expected http or https/],
    ['file:///etc/passwd', /unsupported scheme file/],
    ['not a url', /not a valid URL/],
  ])('refuses %s', (url, reason) => {
    const result = checkTargetUrl(url, off);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('accepts public names and addresses', () => {
    expect(checkTargetUrl('https://example.com/health', off)).toEqual({ ok: true });
    expect(checkTargetUrl('http://93.184.216.34/', off)).toEqual({ ok: true });
  });

  it('accepts private literals when private targets are allowed, but still only http(s)', () => {
    expect(checkTargetUrl('http://127.0.0.1:8080/', { allowPrivate: true })).toEqual({ ok: true });
    expect(checkTargetUrl('gopher://127.0.0.1/', { allowPrivate: true }).ok).toBe(false);
  });
});
