// Wraps any Store so that each call becomes a `store.write` or `store.query` span named after
// the operation. Used only when traces are exported: the roles keep calling the contract and
// never learn about tracing.

import type { Tracer } from '@opentelemetry/api';
import type { Store } from '../store/contract.ts';
import { withSpan } from './otel.ts';

/** Contract methods that only read; everything else counts as a write. */
const READS = new Set<string>([
  'getUser',
  'getUserByEmail',
  'getUserByStatusSlug',
  'getMonitor',
  'listMonitors',
  'listAllMonitors',
  'monitorsChangeToken',
  'listContacts',
  'getApiKey',
  'listApiKeys',
  'getMaintenanceWindow',
  'listMaintenanceWindows',
  'listAllMaintenanceWindows',
  'listChecks',
  'history',
  'summary',
  'readChecksAfter',
  'getAlertState',
  'getIncident',
  'listIncidents',
  'listOpenIncidents',
  'getEvaluatorCursor',
  'listDeliveriesPage',
  'listPendingDeliveries',
  'ping',
]);

/** Not traced: lifecycle calls. */
const UNTRACED = new Set<string>(['close']);

export function traceStore(store: Store, tracer: Tracer): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || UNTRACED.has(property)) return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      const name = READS.has(property) ? 'store.query' : 'store.write';
      return (...args: unknown[]) =>
        withSpan(tracer, name, { 'store.operation': property, 'store.backend': target.backend }, () =>
          method.apply(target, args),
        );
    },
  });
}
