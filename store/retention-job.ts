// Purges what is older than CHECKS_RETENTION_DAYS, on any backend that implements the contract:
// checks, and with the same cutoff the incidents resolved and the notifications finished before
// it, and the audit events (RetentionStore.purgeChecksBefore). One retention for all of them: an
// incident or a notification is about checks, and outlives them by no more than a day or so.
// Runs once shortly after start-up and then hourly (croner), so a process that restarts often
// still purges; a pass that fails is logged and retried at the next tick.

import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { RetentionStore } from './contract.ts';

const DAY_MS = 86_400_000;

export function startRetention(deps: {
  store: RetentionStore;
  retentionDays: number;
  log: Logger;
  clock?: () => number;
  /** Delay of the first pass after start-up. */
  firstPassAfterMs?: number;
}): { stop(): Promise<void> } {
  const clock = deps.clock ?? Date.now;
  let running: Promise<void> | null = null;

  const purge = () => {
    if (running) return; // one pass at a time; the next tick catches up
    const before = clock() - deps.retentionDays * DAY_MS;
    running = deps.store
      .purgeChecksBefore(before)
      .then(() => deps.log.debug({ before: new Date(before).toISOString() }, 'retention pass done'))
      .catch((error: unknown) => deps.log.error({ err: error }, 'retention pass failed; retrying next hour'))
      .finally(() => {
        running = null;
      });
  };

  const job = new Cron('17 * * * *', { protect: true }, purge);
  const first = setTimeout(purge, deps.firstPassAfterMs ?? 30_000);
  first.unref();
  return {
    async stop() {
      job.stop();
      clearTimeout(first);
      await running;
    },
  };
}
