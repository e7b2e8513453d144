// Retention: purgeChecksBefore removes, at once, every check older than the cutoff, the audit
// events older than it, incidents resolved before it, finished deliveries created before it and
// API keys that expired before it.
// Where the engine has a data stream lifecycle (Elasticsearch >= 8.11, elastic/engine.ts) it
// also expires old backing indices of both data streams on its own schedule, but OpenSearch has
// none and the contract asks for the purge to be done when the call returns, so the same steps
// run on every engine:
//   1. whole checks backing indices (never the write index) whose newest @timestamp is before
//      the cutoff are deleted: cheap, no per-document work;
//   2. `_delete_by_query` for the rest (checks and events on @timestamp, incidents on
//      resolved_at, the outbox on created_at and a final status), each run as a task and waited
//      for (bounded), with `conflicts: proceed` (a concurrent replay of a check is no reason to
//      stop; a delivery changed meanwhile was not final anyway).
// There are no rollups on Elasticsearch: history aggregates raw checks.

import { errors, type estypes } from '@elastic/elasticsearch';
import type { RetentionStore } from '../../store/contract.ts';
import { readBackingIndices } from './backing-indices.ts';
import { assertComplete } from './checks-read.ts';
import { type EsContext, statusOf } from './context.ts';
import type { DeliveryStatus } from '../../store/types.ts';

/** How long a purge by query may take before purgeChecksBefore rejects (the task goes on). */
const PURGE_TIMEOUT_MS = 30 * 60_000;
const POLL = '20s';

export function createRetention(ctx: EsContext): RetentionStore {
  return {
    async purgeChecksBefore(before) {
      await dropOldBackingIndices(ctx, before);
      const olderThan = (field: string) => ({ range: { [field]: { lt: before, format: 'epoch_millis' } } });
      // Independent indices: purged side by side, so the pass takes as long as the slowest.
      await Promise.all([
        deleteByQuery(ctx, ctx.names.checks, olderThan('@timestamp')),
        deleteByQuery(ctx, ctx.names.events, olderThan('@timestamp')),
        deleteByQuery(ctx, ctx.names.incidents, olderThan('resolved_at')),
        deleteByQuery(ctx, ctx.names.outbox, { bool: { filter: [olderThan('created_at'), { terms: { status: FINISHED } }] } }),
        // Keys without an expiry have no expires_at and never match.
        deleteByQuery(ctx, ctx.names['api-keys'], olderThan('expires_at')),
      ]);
    },
  };
}

/** Deletes the non-write backing indices holding only checks before `before` (or none at all). */
async function dropOldBackingIndices(ctx: EsContext, before: number): Promise<string[]> {
  const indices = await readBackingIndices(ctx);
  const older = indices.slice(0, -1).map((index) => index.name);
  if (older.length === 0) return [];
  const response = await ctx.client.search({
    index: ctx.names.checks,
    size: 0,
    track_total_hits: false,
    aggs: { indices: { terms: { field: '_index', size: indices.length }, aggs: { newest: { max: { field: '@timestamp' } } } } },
  });
  assertComplete(response, 'purgeChecksBefore');
  type Agg = { buckets: Array<{ key: string; newest: { value: number | null } }> };
  const newest = new Map(
    ((response.aggregations as { indices?: Agg } | undefined)?.indices?.buckets ?? []).map((b) => [b.key, b.newest.value]),
  );
  // An index with no checks has no bucket: nothing to keep either.
  const expired = older.filter((name) => (newest.get(name) ?? -Infinity) < before);
  if (expired.length > 0) await ctx.client.indices.delete({ index: expired });
  return expired;
}

/** Final statuses: a pending delivery is kept whatever its age (it goes dead after 24 h). */
const FINISHED = ['sent', 'dead', 'cancelled'] satisfies DeliveryStatus[];

async function deleteByQuery(ctx: EsContext, index: string, query: estypes.QueryDslQueryContainer): Promise<void> {
  const started = await ctx.client.deleteByQuery({
    index,
    query,
    conflicts: 'proceed',
    refresh: true,
    wait_for_completion: false,
  });
  const task = started.task;
  if (task === undefined) throw new Error(`purgeChecksBefore: _delete_by_query on ${index} started no task`);
  const deadline = Date.now() + PURGE_TIMEOUT_MS;
  for (;;) {
    let status: estypes.TasksGetResponse | null = null;
    try {
      status = await ctx.client.tasks.get({ task_id: String(task), wait_for_completion: true, timeout: POLL });
    } catch (error) {
      // The wait timing out answers 408 (or a timeout error) while the task still runs.
      if (!isWaitTimeout(error)) throw error;
    }
    if (status?.completed) {
      const error = status.error as { type?: string; reason?: string } | undefined;
      const result = status.response as { failures?: Array<{ cause?: { type?: string; reason?: string } }> } | undefined;
      const failure = error ?? result?.failures?.[0]?.cause;
      if (failure) {
        throw new Error(`purgeChecksBefore: _delete_by_query on ${index} failed: ${failure.type}: ${failure.reason}`);
      }
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`purgeChecksBefore: _delete_by_query task ${task} on ${index} still running after ${PURGE_TIMEOUT_MS} ms`);
    }
  }
}

function isWaitTimeout(error: unknown): boolean {
  return statusOf(error) === 408 || error instanceof errors.TimeoutError;
}
