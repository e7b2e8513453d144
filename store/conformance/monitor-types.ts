// Monitor types: every type-specific field of a monitor round-trips (tcp, dns, the HTTP additions,
// JSON assertion values of every JSON type), patches keep them, findMonitors filters on type, and
// the checks of tcp and dns probes come back from the raw checks API as written.

import { describe, expect } from 'vitest';
import { dnsUri } from '../monitor-types.ts';
import { type ConformanceOptions, MINUTE, makeCheck, monitorInput, newUser, useStore } from './harness.ts';

const T0 = Date.UTC(2026, 4, 5, 10, 0, 0);

export function monitorTypeCases(options: ConformanceOptions): void {
  describe('monitor types', () => {
    const { store, refresh, test } = useStore(options);

    const dnsQuestion = { name: 'example.com', record_type: 'MX' as const, resolver: '192.0.2.53:5353', expect: '10 mx.example.com' };

    test('round-trips the fields of every type: http additions, tcp, dns', async () => {
      const owner = await newUser(store());
      const http = monitorInput({
        method: 'PATCH',
        body: `{"probe":true,"pad":"${'x'.repeat(60 * 1024)}"}`,
        headers: { 'Content-Type': 'application/json' },
        keyword: 'maintenance',
        keyword_absent: true,
        json_assertions: [
          { path: '$.status', op: '==', value: 'ok' },
          { path: '$.checks[0].latency_ms', op: '<', value: 250.5 },
          { path: "$['odd key'].on", op: '!=', value: false },
          { path: '$.error', op: '==', value: null },
          { path: '$.version', op: 'contains', value: '2' },
          { path: '$.id', op: '==', value: '5' },
        ],
        max_response_ms: 1500,
      });
      const tcp = monitorInput({ type: 'tcp', url: 'tls://db.example.com:5432' });
      const dns = monitorInput({ type: 'dns', url: dnsUri(dnsQuestion), dns: dnsQuestion });
      const created = await store().createMonitors(owner.id, [http, tcp, dns]);
      expect(created.map((m) => m.type)).toEqual(['http', 'tcp', 'dns']);
      for (const [i, input] of [http, tcp, dns].entries()) {
        expect(created[i]).toMatchObject(input);
        expect(await store().getMonitor(owner.id, created[i]!.id)).toEqual(created[i]);
      }
      expect(created[0]!.json_assertions.map((a) => a.value)).toEqual(['ok', 250.5, false, null, '2', '5']);
      expect(await store().listMonitors(owner.id)).toEqual(created);
    });

    test('patches type fields: a dns question replaced, assertions cleared, others kept', async () => {
      const owner = await newUser(store());
      const dns = await store().createMonitor(owner.id, monitorInput({ type: 'dns', url: dnsUri(dnsQuestion), dns: dnsQuestion }));
      const question = { name: 'example.org', record_type: 'TXT' as const, resolver: null, expect: null };
      const patched = await store().updateMonitor(owner.id, dns.id, { dns: question, url: dnsUri(question) });
      expect(patched).toMatchObject({ type: 'dns', dns: question, url: 'dns:example.org?type=TXT' });
      expect(await store().getMonitor(owner.id, dns.id)).toEqual(patched);

      const http = await store().createMonitor(
        owner.id,
        monitorInput({ json_assertions: [{ path: '$.a', op: 'exists', value: null }], max_response_ms: 900 }),
      );
      const cleared = await store().updateMonitor(owner.id, http.id, { json_assertions: [] });
      expect(cleared).toMatchObject({ json_assertions: [], max_response_ms: 900, type: 'http' });
      expect(await store().getMonitor(owner.id, http.id)).toEqual(cleared);
    });

    test('finds monitors by type, with the other filters', async () => {
      const owner = await newUser(store());
      const other = await newUser(store());
      const [web, db, mx, paused] = await store().createMonitors(owner.id, [
        monitorInput({ name: 'web' }),
        monitorInput({ type: 'tcp', name: 'db', url: 'tcp://db.example.com:5432' }),
        monitorInput({ type: 'dns', name: 'mx', url: dnsUri(dnsQuestion), dns: dnsQuestion }),
        monitorInput({ type: 'tcp', name: 'cache', url: 'tcp://cache.example.com:6379', paused: true }),
      ]);
      await store().createMonitor(other.id, monitorInput({ type: 'tcp', url: 'tcp://x.example.com:1' }));
      const ids = async (query: Parameters<ReturnType<typeof store>['findMonitors']>[1]) =>
        (await store().findMonitors(owner.id, query)).items.map((m) => m.id);
      expect(await ids({ type: 'tcp', limit: 10 })).toEqual([db!.id, paused!.id]);
      expect(await ids({ type: 'dns', limit: 10 })).toEqual([mx!.id]);
      expect(await ids({ type: 'http', limit: 10 })).toEqual([web!.id]);
      expect(await ids({ type: 'tcp', paused: false, limit: 10 })).toEqual([db!.id]);
      expect(await ids({ type: 'push', limit: 10 })).toEqual([]);
    });

    test('round-trips tcp and dns checks through the raw checks API', async () => {
      const owner = await newUser(store());
      const tcp = await store().createMonitor(owner.id, monitorInput({ type: 'tcp', url: 'tls://db.example.com:5432', interval_seconds: 60 }));
      const dns = await store().createMonitor(
        owner.id,
        monitorInput({ type: 'dns', url: dnsUri(dnsQuestion), dns: dnsQuestion, interval_seconds: 60 }),
      );
      const tcpCheck = makeCheck(tcp, T0, {
        monitor_type: 'tcp',
        method: null,
        status_code: null,
        body_bytes: null,
        first_byte_us: null,
        total_us: null,
      });
      const dnsBase = {
        monitor_type: 'dns' as const,
        method: null,
        status_code: null,
        body_bytes: null,
        connect_us: null,
        tls_us: null,
        first_byte_us: null,
        total_us: null,
        tls_version: null,
        cert_not_after: null,
        cert_issuer: null,
        cert_sha256: null,
        resolved_ip: '192.0.2.53',
      };
      const answered = makeCheck(dns, T0, {
        ...dnsBase,
        dns: { question_name: 'example.com', question_type: 'MX', answers: ['10 mx.example.com', '20 mx2.example.com'], response_code: 'NOERROR' },
      });
      const nxdomain = makeCheck(dns, T0 + MINUTE, {
        ...dnsBase,
        status: 'down',
        error_type: 'dns',
        error_message: 'example.com MX: NXDOMAIN',
        dns: { question_name: 'example.com', question_type: 'MX', answers: [], response_code: 'NXDOMAIN' },
      });
      const silent = makeCheck(dns, T0 + 2 * MINUTE, {
        ...dnsBase,
        status: 'down',
        error_type: 'timeout',
        error_message: 'no answer within 2000 ms',
        dns: { question_name: 'example.com', question_type: 'MX', answers: [], response_code: null },
      });
      await store().appendChecks([tcpCheck, answered, nxdomain, silent]);
      await refresh();
      expect((await store().listChecks(owner.id, tcp.id, { limit: 10 }))?.items).toEqual([tcpCheck]);
      expect((await store().listChecks(owner.id, dns.id, { limit: 10 }))?.items).toEqual([silent, nxdomain, answered]);
    });
  });
}
