// The dns probe against a DNS server on 127.0.0.1 written for the test (testing/dns-server.ts):
// answers of every record type, NXDOMAIN, a name without records of the type, a resolver that
// never answers, the wrong answer, and the address guard on the resolver.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsUri } from '../../store/monitor-types.ts';
import type { DnsQuery, Monitor } from '../../store/types.ts';
import { probe, type ProbeOptions } from '../probe.ts';
import { startDnsServer, type DnsTestServer } from '../testing/dns-server.ts';
import { testMonitor } from '../testing/monitor.ts';

let server: DnsTestServer;

beforeAll(async () => {
  server = await startDnsServer({
    'ok.test': {
      records: [
        { type: 'A', data: '192.0.2.10' },
        { type: 'A', data: '192.0.2.11' },
        { type: 'AAAA', data: '2001:db8::10' },
        { type: 'MX', data: { preference: 10, exchange: 'mx.ok.test' } },
        { type: 'TXT', data: ['v=spf1 ', '-all'] },
        { type: 'NS', data: 'ns1.ok.test' },
      ],
    },
    'www.ok.test': { records: [{ type: 'CNAME', data: 'ok.test' }] },
    'wrong.test': { records: [{ type: 'A', data: '192.0.2.99' }] },
    'broken.test': { rcode: 'SERVFAIL' },
    'silent.test': { silent: true },
  });
});
afterAll(async () => {
  await server.close();
});

const base: ProbeOptions = { allowPrivate: true, observer: 'test-observer' };
function dnsMonitor(question: Partial<DnsQuery> & Pick<DnsQuery, 'name' | 'record_type'>, timeout_ms = 2000): Monitor {
  const dns: DnsQuery = { resolver: server.address, expect: null, ...question };
  return testMonitor({ type: 'dns', url: dnsUri(dns), dns, timeout_ms });
}

describe('dns probe', () => {
  it('is up with the answers, the response code and the time to answer', async () => {
    const check = await probe(dnsMonitor({ name: 'ok.test', record_type: 'A', expect: '192.0.2.11' }), base);
    expect(check).toMatchObject({
      status: 'up',
      monitor_type: 'dns',
      method: null,
      url: `dns://${server.address}/ok.test?type=A`,
      resolved_ip: '192.0.2.10',
      error_type: null,
      dns: { question_name: 'ok.test', question_type: 'A', answers: ['192.0.2.10', '192.0.2.11'], response_code: 'NOERROR' },
    });
    expect(check.dns_us).toBeGreaterThan(0);
    expect(server.questions).toContain('ok.test A');
  });

  it.each([
    ['AAAA', '2001:db8::10', ['2001:db8::10']],
    ['MX', '10 MX.ok.test.', ['10 mx.ok.test']],
    ['TXT', 'v=spf1 -all', ['v=spf1 -all']],
    ['NS', 'ns1.ok.test', ['ns1.ok.test']],
  ] as const)('answers %s records as text, matching the expected value', async (record_type, expect_value, answers) => {
    const check = await probe(dnsMonitor({ name: 'ok.test', record_type, expect: expect_value }), base);
    expect(check).toMatchObject({ status: 'up', dns: { answers, response_code: 'NOERROR' } });
  });

  it('answers a CNAME', async () => {
    const check = await probe(dnsMonitor({ name: 'www.ok.test', record_type: 'CNAME', expect: 'ok.test' }), base);
    expect(check).toMatchObject({ status: 'up', dns: { answers: ['ok.test'] } });
  });

  it('is down with error.type dns on NXDOMAIN', async () => {
    const check = await probe(dnsMonitor({ name: 'missing.test', record_type: 'A' }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'dns', dns: { answers: [], response_code: 'NXDOMAIN' } });
    expect(check.error_message).toBe(`missing.test A: no such name (NXDOMAIN) (asked ${server.address})`);
  });

  it('is down when the name has no records of the type, and on SERVFAIL', async () => {
    const none = await probe(dnsMonitor({ name: 'www.ok.test', record_type: 'MX' }), base);
    expect(none).toMatchObject({ status: 'down', error_type: 'dns', dns: { response_code: 'NOERROR', answers: [] } });
    expect(none.error_message).toMatch(/has no records of this type/);
    const failing = await probe(dnsMonitor({ name: 'broken.test', record_type: 'A' }), base);
    expect(failing).toMatchObject({ status: 'down', error_type: 'dns', dns: { response_code: 'SERVFAIL' } });
  });

  it('is down with error.type dns when the resolver never answers, within the timeout', async () => {
    const started = Date.now();
    const check = await probe(dnsMonitor({ name: 'silent.test', record_type: 'A' }, 1000), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'dns', dns: { answers: [], response_code: null } });
    // The resolver's timer (90% of the deadline) or, on a busy machine, the probe's deadline: both name the resolver.
    expect(check.error_message).toMatch(
      new RegExp(`^(silent\\.test A: no answer from ${server.address} within 1000 ms|timed out after 1000 ms waiting for ${server.address} to answer)$`),
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('is down with error.type dns on the wrong answer, naming expected and received', async () => {
    const check = await probe(dnsMonitor({ name: 'wrong.test', record_type: 'A', expect: '192.0.2.10' }), base);
    expect(check).toMatchObject({ status: 'down', error_type: 'dns', dns: { answers: ['192.0.2.99'], response_code: 'NOERROR' } });
    expect(check.error_message).toBe('wrong.test A: expected "192.0.2.10" among the answers, got "192.0.2.99"');
  });

  it('refuses to ask a resolver on a private address unless private targets are allowed', async () => {
    const asked = server.questions.length;
    const check = await probe(dnsMonitor({ name: 'ok.test', record_type: 'A' }), { ...base, allowPrivate: false });
    expect(check).toMatchObject({ status: 'down', error_type: 'blocked' });
    expect(check.error_message).toMatch(/resolver 127\.0\.0\.1:\d+: loopback.*ALLOW_PRIVATE_TARGETS/);
    expect(server.questions.length).toBe(asked);
  });
});
