// The dispatcher: claims due deliveries with a lease, sends each through its channel, and records
// the outcome — sent; pending again later (exponential backoff with jitter, or the provider's
// Retry-After when longer) on a transient error;
// dead on a permanent error or once 24 h old; cancelled, unsent, when its contact no longer
// exists (deleted after the delivery was enqueued: nothing goes to an address the user removed).
// Several dispatchers can share one outbox: a claim leases a delivery to one worker, and a worker
// whose lease lapsed cannot complete it.
//
// It polls every `pollMs`, and wakes at once when nudged (the evaluator enqueued something) or
// when a send finishes and frees a slot; at most `concurrency` sends run at a time.

import { trace, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { CONTACT_DELETED, LeaseLostError, type Store } from '../store/contract.ts';
import type { ContactType, Delivery } from '../store/types.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { withSpan } from '../telemetry/otel.ts';
import { DEFAULT_BACKOFF, retryAt, type BackoffPolicy } from './backoff.ts';
import { PermanentError, TransientError, type Channel } from './channels/channel.ts';
import type { IncidentLookup } from './lookups.ts';
import { assembleMessage } from './message.ts';
import { createOutageCauses } from './outage-causes.ts';

export type DispatcherDeps = {
  store: Pick<
    Store,
    | 'claimDueDeliveries'
    | 'completeDelivery'
    | 'failDelivery'
    | 'cancelDelivery'
    | 'listPendingDeliveries'
    | 'listContacts'
    | 'getMonitor'
    | 'listChecks'
  >;
  channels: ReadonlyMap<ContactType, Channel>;
  incidents: IncidentLookup;
  log: Logger;
  metrics: Metrics;
  /** Each send is a `delivery.send` span; no-op when absent. */
  tracer?: Tracer;
  clock: () => number;
  workerId: string;
  publicUrl: string;
  leaseMs?: number;
  concurrency?: number;
  pollMs?: number;
  /** Whole-send limit on top of each channel's own timeouts; must stay well under leaseMs. */
  sendTimeoutMs?: number;
  backoff?: BackoffPolicy;
  /** Told about every claimed delivery and every final outcome (for the pending gauge). */
  onClaimed?: (delivery: Delivery) => void;
  onFinished?: (delivery: Delivery, outcome: 'sent' | 'dead' | 'cancelled') => void;
};

export type Dispatcher = {
  nudge(): void;
  /** Deliveries claimed by this dispatcher and not finished yet. */
  inFlight(): number;
  /** Stops claiming, lets sends in flight finish (or aborts them after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
};

export function startDispatcher(deps: DispatcherDeps): Dispatcher {
  const { store, log, metrics, clock, workerId } = deps;
  const tracer = deps.tracer ?? trace.getTracer('downtime-monitor');
  const leaseMs = deps.leaseMs ?? 120_000;
  const concurrency = deps.concurrency ?? 8;
  const pollMs = deps.pollMs ?? 300;
  const sendTimeoutMs = deps.sendTimeoutMs ?? 60_000;
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  const stopping = new AbortController();
  let claiming = true;
  const inflight = new Set<Promise<void>>();
  /** Ids of the deliveries being sent by this dispatcher. */
  const sending = new Set<string>();
  let nudged = false;
  let wake: (() => void) | null = null;
  const causes = createOutageCauses(store);

  const nudge = () => {
    nudged = true;
    wake?.();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (nudged || !claiming) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  async function send(delivery: Delivery): Promise<void> {
    const started = clock();
    const channel = deps.channels.get(delivery.channel);
    try {
      if (!channel) throw new Error(`${delivery.channel} is not configured on this server`);
      if (!(await contactStillExists(delivery))) return await cancel(delivery);
      const earlier = await earlierPendingMessage(delivery);
      if (earlier) {
        // Not a failure of this delivery: look again when the earlier one may have gone out.
        const now = clock();
        const retryAt =
          earlier.lease_owner === workerId
            ? now + ORDER_RETRY_MS
            : Math.max(now + ORDER_RETRY_MS, earlier.next_attempt_at, earlier.lease_expires_at ?? 0) + ORDER_RETRY_MS;
        await store.failDelivery(delivery.id, workerId, `waiting for the earlier ${earlier.kind} message to this contact`, retryAt);
        return;
      }
      const message = await assembleMessage({ store, incidents: deps.incidents, causes, publicUrl: deps.publicUrl }, delivery, started);
      if ('missing' in message) throw new PermanentError(message.missing);
      const attributes = { 'notification.channel': delivery.channel, 'notification.kind': delivery.kind, 'monitor.id': delivery.monitor_id };
      await withSpan(tracer, 'delivery.send', attributes, () =>
        withDeadline(sendTimeoutMs, stopping.signal, (signal) => channel.send(delivery, message, { signal })),
      );
    } catch (error) {
      return recordFailure(delivery, error);
    }
    await complete(delivery);
    metrics.deliveries.add(1, { channel: delivery.channel, outcome: 'sent' });
    deps.onFinished?.(delivery, 'sent');
    log.info({ delivery_id: delivery.id, channel: delivery.channel, kind: delivery.kind, latency_ms: clock() - delivery.check_at }, 'notification sent');
  }

  /**
   * A contact hears about one incident in order: DOWN, reminders, UP. After a crash the DOWN may
   * still be leased to the dead worker while the UP is fresh; the UP waits for it. (Each wait is
   * recorded as an attempt: the outbox has no other way to postpone a delivery.)
   */
  async function earlierPendingMessage(delivery: Delivery): Promise<Delivery | null> {
    // A certificate message is about no incident: nothing has to go before it.
    if (delivery.kind === 'down' || delivery.incident_id === null) return null;
    // Oldest check first: whatever precedes this message comes before it in that order.
    const pending = await store.listPendingDeliveries(delivery.incident_id, delivery.contact_id, EARLIER_LOOKUP_LIMIT);
    return pending.find((d) => d.id !== delivery.id && precedes(d, delivery)) ?? null;
  }

  /**
   * Whether the delivery's contact is still on its monitor with the same address, read again at
   * each attempt: one deleted since the delivery was enqueued (or between two attempts) must not
   * be written to. A monitor has few contacts; its list is one small read.
   */
  async function contactStillExists(delivery: Delivery): Promise<boolean> {
    const contacts = await store.listContacts(delivery.owner_id, delivery.monitor_id);
    return contacts.some((c) => c.id === delivery.contact_id && c.type === delivery.channel && c.address === delivery.address);
  }

  async function cancel(delivery: Delivery): Promise<void> {
    try {
      await store.cancelDelivery(delivery.id, workerId, CONTACT_DELETED);
    } catch (error) {
      // Lease lost: whoever holds it now makes the same check before sending.
      log.warn({ delivery_id: delivery.id, err: error }, 'could not cancel the delivery of a deleted contact');
      return;
    }
    deps.onFinished?.(delivery, 'cancelled');
    log.info({ delivery_id: delivery.id, channel: delivery.channel, kind: delivery.kind }, 'notification cancelled: its contact was deleted');
  }

  /** A store hiccup right after a send must not turn into a second message: retry briefly. */
  async function complete(delivery: Delivery): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.completeDelivery(delivery.id, workerId, clock());
      } catch (error) {
        if (error instanceof LeaseLostError || attempt >= 4) {
          log.error({ delivery_id: delivery.id, err: error }, 'sent, but could not mark the delivery sent; it may be sent again');
          return;
        }
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }

  async function recordFailure(delivery: Delivery, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    const now = clock();
    const retryAfterMs = error instanceof TransientError ? error.retryAfterMs : undefined;
    const next = error instanceof PermanentError ? null : retryAt(backoff, delivery.attempts + 1, delivery.created_at, now, retryAfterMs);
    const outcome = next === null ? 'dead' : 'retry';
    metrics.deliveries.add(1, { channel: delivery.channel, outcome });
    if (outcome === 'dead') deps.onFinished?.(delivery, 'dead');
    log.warn({ delivery_id: delivery.id, channel: delivery.channel, outcome, attempts: delivery.attempts + 1, error: reason }, 'delivery failed');
    try {
      await store.failDelivery(delivery.id, workerId, reason.slice(0, 1_000), next);
    } catch (failError) {
      // The lease expires on its own and the delivery is claimed again: no message is lost.
      log.warn({ delivery_id: delivery.id, err: failError }, 'could not record the failed attempt');
    }
  }

  function launch(delivery: Delivery): void {
    // A send that outlasts its lease is claimed again, by this dispatcher too: the claim renewed
    // the lease, and the send in flight completes under it. A second send would be a duplicate.
    if (sending.has(delivery.id)) return;
    sending.add(delivery.id);
    deps.onClaimed?.(delivery);
    const task = send(delivery)
      .catch((error: unknown) => log.error({ delivery_id: delivery.id, err: error }, 'dispatch failed'))
      .finally(() => {
        inflight.delete(task);
        sending.delete(delivery.id);
        nudge();
      });
    inflight.add(task);
  }

  async function run(): Promise<void> {
    let storeFailures = 0;
    while (claiming) {
      nudged = false;
      const free = concurrency - inflight.size;
      if (free > 0) {
        try {
          const claimed = await store.claimDueDeliveries(workerId, clock(), leaseMs, free);
          storeFailures = 0;
          for (const delivery of claimed) launch(delivery);
          if (claimed.length === free) continue;
        } catch (error) {
          storeFailures++;
          log.warn({ err: error }, 'could not claim deliveries');
          await sleep(Math.min(30_000, pollMs * 2 ** storeFailures));
          continue;
        }
      }
      await sleep(pollMs);
    }
  }

  const loop = run();
  return {
    nudge,
    inFlight: () => inflight.size,
    async stop(graceMs = 10_000) {
      claiming = false;
      nudge();
      await loop;
      const grace = setTimeout(() => stopping.abort(new Error('dispatcher stopping')), graceMs);
      await Promise.allSettled([...inflight]);
      clearTimeout(grace);
    },
  };
}

const ORDER_RETRY_MS = 500;
/** Pending messages of one incident to one contact read at most: DOWN, a few reminders, UP. */
const EARLIER_LOOKUP_LIMIT = 20;
const KIND_ORDER = { down: 0, reminder: 1, up: 2, cert: 0 } as const;

function precedes(a: Delivery, b: Delivery): boolean {
  return KIND_ORDER[a.kind] < KIND_ORDER[b.kind] || (a.kind === 'reminder' && b.kind === 'reminder' && a.check_at < b.check_at);
}

/**
 * Runs `fn` with a signal aborted after `ms` or when `parent` aborts, and stops waiting for it
 * then, even if the work ignores the signal. Leaves no timer or listener behind.
 */
async function withDeadline<T>(ms: number, parent: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onParent = () => controller.abort(parent.reason);
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  const timer = setTimeout(() => controller.abort(new Error(`send timed out after ${ms} ms`)), ms);
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(controller.signal.reason instanceof Error ? controller.signal.reason : new Error('send aborted'));
    controller.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([fn(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', onParent);
    controller.signal.removeEventListener('abort', onAbort);
  }
}
