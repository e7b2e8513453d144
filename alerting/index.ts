// The alerting role: an evaluator pass every `evaluateEveryMs` (new checks → transitions →
// incidents and deliveries) and a dispatcher sending the deliveries, nudged in-process as soon as
// the evaluator enqueues some so that a confirmed outage reaches SMTP within a second or two.
//
// Example:
//   const alerting = startAlerting({ store, config, log, metrics, signingKey: jwtSecret });
//   ...
//   await alerting.stop(); // stops evaluating, lets sends in flight finish, closes channels

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Store } from '../store/contract.ts';
import type { ContactType, Delivery } from '../store/types.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import type { Channel } from './channels/channel.ts';
import { createChannels } from './channels/index.ts';
import { startDispatcher } from './dispatcher.ts';
import { createEvaluator } from './evaluator.ts';
import { createIncidentLookup } from './lookups.ts';

export type AlertingDeps = {
  store: Store;
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** Spans for evaluation passes and sends; no-op when absent. */
  tracer?: Tracer;
  clock?: () => number;
  /** Names this instance's leases; unique per process by default. */
  workerId?: string;
  /** Key for webhook signatures (the resolved JWT secret); defaults to JWT_SECRET. */
  signingKey?: string;
  /** Built from config when absent. */
  channels?: ReadonlyMap<ContactType, Channel>;
  evaluateEveryMs?: number;
  dispatcher?: { pollMs?: number; concurrency?: number; leaseMs?: number; backoff?: BackoffPolicy };
  /** The process's heap release (collector/heap-release.ts), told of large fleet changes. */
  heapRelease?: { noteChanged(count: number): void };
};

export type Alerting = { stop(): Promise<void> };

export function startAlerting(deps: AlertingDeps): Alerting {
  const { store, config, log, metrics, heapRelease } = deps;
  const clock = deps.clock ?? Date.now;
  const workerId = deps.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const signingKey = deps.signingKey ?? config.JWT_SECRET;
  if (!deps.channels && !signingKey) {
    throw new Error('startAlerting: webhook signatures need a key: pass signingKey (the resolved JWT secret) or set JWT_SECRET');
  }
  const channels = deps.channels ?? createChannels(config, { signingKey: signingKey ?? '' });
  const ownsChannels = !deps.channels;
  const incidents = createIncidentLookup(store);
  const backoff = deps.dispatcher?.backoff ?? DEFAULT_BACKOFF;
  const pending = trackPending(backoff.giveUpAfterMs, clock);
  metrics.observeGauge('outbox_pending', pending.count);

  const dispatcher = startDispatcher({
    store,
    channels,
    incidents,
    log,
    tracer: deps.tracer,
    metrics,
    clock,
    workerId,
    publicUrl: config.PUBLIC_URL,
    ...deps.dispatcher,
    backoff,
    onClaimed: pending.add,
    onFinished: pending.remove,
  });
  const evaluator = createEvaluator({
    store,
    incidents,
    log,
    tracer: deps.tracer,
    metrics,
    clock,
    onEnqueued: (deliveries) => {
      deliveries.forEach(pending.add);
      dispatcher.nudge();
    },
    ...(heapRelease ? { onFleetChanged: (count: number) => heapRelease.noteChanged(count) } : {}),
  });

  const everyMs = deps.evaluateEveryMs ?? 500;
  let running = true;
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;
  let current: Promise<void> = Promise.resolve();
  const pass = async () => {
    timer = null;
    try {
      await evaluator.evaluateOnce();
      failures = 0;
    } catch (error) {
      failures++;
      log.warn({ err: error, failures }, 'alert evaluation failed; retrying');
    }
    // Back off while the store is failing, up to 30 s; normal cadence otherwise.
    if (running) timer = setTimeout(() => (current = pass()), Math.min(30_000, everyMs * 2 ** Math.min(failures, 6)));
  };
  current = pass();
  log.info({ worker: workerId, channels: [...channels.keys()] }, 'alerting started');

  return {
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await current;
      await dispatcher.stop();
      if (ownsChannels) await Promise.allSettled([...channels.values()].map((c) => c.close()));
    },
  };
}

/**
 * Deliveries this instance enqueued or claimed and has not seen sent or dead. Per instance and
 * approximate (another instance may finish them), so entries past the give-up age are dropped.
 */
function trackPending(maxAgeMs: number, clock: () => number) {
  const seen = new Map<string, number>();
  return {
    add: (delivery: Delivery) => void seen.set(delivery.id, delivery.created_at),
    remove: (delivery: Delivery) => void seen.delete(delivery.id),
    count: () => {
      const oldest = clock() - maxAgeMs;
      for (const [id, created] of seen) if (created < oldest) seen.delete(id);
      return seen.size;
    },
  };
}
