// The store conformance suite: the same cases, with the same expected answers, for every
// backend. A backend's test file only calls it:
//
//   runStoreConformance({ name: 'sqlite', open: () => openSqliteStore({ dataDir: freshDir() }) });
//
// `open` must return a store over empty storage each time. `refresh` makes writes visible to
// searches where the backend is near-real-time (Elasticsearch), instead of sleeping. A backend
// skips a case only with a written reason: `skip: { 'case name': 'why' }`.

import { describe } from 'vitest';
import { alertCases } from './conformance/alerts.ts';
import { apiKeyCases } from './conformance/api-keys.ts';
import { certExpiryCases } from './conformance/cert-expiry.ts';
import { checkCases } from './conformance/checks.ts';
import type { ConformanceOptions } from './conformance/harness.ts';
import { historyCases } from './conformance/history.ts';
import { maintenanceCases } from './conformance/maintenance.ts';
import { monitorTypeCases } from './conformance/monitor-types.ts';
import { outboxCases } from './conformance/outbox.ts';
import { pushMonitorCases } from './conformance/push.ts';
import { retentionCases } from './conformance/retention.ts';
import { summaryCases } from './conformance/summary.ts';
import { tenancyCases } from './conformance/tenancy.ts';
import { userAndMonitorCases } from './conformance/users-monitors.ts';

export type { ConformanceOptions } from './conformance/harness.ts';

export function runStoreConformance(options: ConformanceOptions): void {
  describe(`store conformance: ${options.name}`, () => {
    userAndMonitorCases(options);
    checkCases(options);
    historyCases(options);
    summaryCases(options);
    retentionCases(options);
    alertCases(options);
    outboxCases(options);
    tenancyCases(options);
    apiKeyCases(options);
    maintenanceCases(options);
    monitorTypeCases(options);
    certExpiryCases(options);
    pushMonitorCases(options);
  });
}
