// Worker thread for sqlite-file.test.ts: opens its own store (its own connection) on a shared
// file and races the other workers, claiming deliveries and advancing one alert state by
// compare-and-set, then reports what it won.

import { parentPort, workerData } from 'node:worker_threads';
import { CasConflictError } from '../contract.ts';
import type { Check } from '../types.ts';
import { openSqliteStore } from './open.ts';

type Job = {
  dataDir: string;
  worker: string;
  monitorId: string;
  ownerId: string;
  increments: number;
  now: number;
  /** Int32 counter of workers ready; all start together once it reaches `workers`. */
  barrier: SharedArrayBuffer;
  workers: number;
  /** Appended in batches of 50, each worker in its own order: every check is stored by several. */
  checks: Check[];
};

const job = workerData as Job;
const store = await openSqliteStore({ dataDir: job.dataDir });
const ready = new Int32Array(job.barrier);
Atomics.add(ready, 0, 1);
Atomics.notify(ready, 0);
for (let seen = Atomics.load(ready, 0); seen < job.workers; seen = Atomics.load(ready, 0)) Atomics.wait(ready, 0, seen, 100);
const claimed: string[] = [];

const order = job.worker.endsWith('2') ? [...job.checks].reverse() : job.checks;
for (let i = 0; i < order.length; i += 50) await store.appendChecks(order.slice(i, i + 50));

const increments: number[] = [];

for (;;) {
  const batch = await store.claimDueDeliveries(job.worker, job.now, 60_000, 2);
  if (batch.length === 0) break;
  for (const delivery of batch) {
    await store.completeDelivery(delivery.id, job.worker, job.now);
    claimed.push(delivery.id);
  }
}

let conflicts = 0;
while (increments.length < job.increments) {
  const current = await store.getAlertState(job.monitorId);
  const count = (current?.state.streak_count ?? 0) + 1;
  try {
    const version = await store.compareAndSetAlertState(
      job.monitorId,
      current?.version ?? null,
      {
        monitor_id: job.monitorId,
        status: 'down',
        streak_status: 'down',
        streak_count: count,
        streak_started_at: null,
        streak_check_id: null,
        streak_error_type: null,
        streak_error_message: null,
        streak_status_code: null,
        last_check_at: null,
        open_incident_id: null,
        told_incident_id: null,
        last_notified_at: null,
        cert_sha256: null,
        cert_told_days: null,
        updated_at: job.now,
      },
      {
        incident: {
          id: `incident-${count}`,
          owner_id: job.ownerId,
          monitor_id: job.monitorId,
          started_at: job.now + count,
          resolved_at: null,
          cause_type: null,
          cause_message: `written by ${job.worker}`,
          cause_status_code: null,
          check_id: `check-${count}`,
        },
      },
    );
    increments.push(version);
  } catch (error) {
    if (!(error instanceof CasConflictError)) throw error;
    conflicts += 1;
  }
}

await store.close();
parentPort?.postMessage({ claimed, increments, conflicts });
