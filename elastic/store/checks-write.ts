// Appends checks to the `checks` data stream: one bulk of `create` operations with `_id` = the
// check id, so that a replayed check is answered 409 by the write index and stored once. Every
// item of the response is inspected: 409 is "already stored"; 429 and 5xx (and a whole request
// refused with them, or a lost connection) are retried with exponential backoff and jitter, a
// bounded number of times; anything else (a mapping error: strict_dynamic_mapping_exception,
// mapper_parsing_exception, document_parsing_exception) rejects naming the check and the reason.
// Nothing is dropped silently, and the promise resolves only once every check is stored. Never
// refreshes: checks become visible to searches with the data stream's refresh interval.
//
// Each attempt stamps `event.ingested` just before it is sent: the alerting feed's cursor
// (checks-feed.ts) follows it, and a retried check must not carry a stale stamp.
//
// Rollover: `_id` is unique only inside one backing index, so after a rollover a replayed check
// would be created again in the new write index. A check can only be stored in an index that
// was the write index at or after its timestamp (backing-indices.ts), so a batch whose checks
// are older than the current write index is first looked up by id in those older indices (a
// realtime mget) and the ones found are skipped. Live checks, newer than the write index, cost
// no extra request. When a bulk answers from another index than the cached write index, a
// rollover happened meanwhile: the cache is renewed, and checks just created in the new index
// are looked up in the older candidates; a duplicate just created is deleted again.

import { setTimeout as sleep } from 'node:timers/promises';
import { errors, type estypes } from '@elastic/elasticsearch';
import type { CheckWriter } from '../../store/contract.ts';
import { checkToEcs } from '../../store/ecs.ts';
import type { Check } from '../../store/types.ts';
import { type BackingIndex, indicesHolding, readBackingIndices } from './backing-indices.ts';
import { type EsContext, statusOf } from './context.ts';

export type CheckWriterOptions = {
  /** Bulk attempts before appendChecks rejects (default 5). */
  attempts?: number;
  /** First backoff delay; doubled per attempt, with jitter (default 200 ms, capped at 5 s). */
  backoffMs?: number;
  /** Told before each retry, and awaited (for logs and tests). */
  onRetry?: (retry: { attempt: number; checks: number; reason: string }) => void | Promise<void>;
};

const MAX_BACKOFF_MS = 5_000;
/** Lookups per mget request (a replay of old checks after many rollovers may need many). */
const MGET_CHUNK = 5_000;

export function createCheckWriter(ctx: EsContext, options: CheckWriterOptions = {}): CheckWriter {
  const attempts = options.attempts ?? 5;
  const backoffMs = options.backoffMs ?? 200;
  const stream = ctx.names.checks;
  let cached: BackingIndex[] | null = null;

  const backing = async (renew = false): Promise<BackingIndex[]> => {
    if (!cached || renew) cached = await readBackingIndices(ctx);
    return cached;
  };

  /** Ids found in the given (index, check) pairs; a deleted index (retention) holds nothing. */
  const storedIn = async (pairs: Array<{ index: string; check: Check }>): Promise<Set<string>> => {
    const found = new Set<string>();
    for (let start = 0; start < pairs.length; start += MGET_CHUNK) {
      const chunk = pairs.slice(start, start + MGET_CHUNK);
      const response = await ctx.client.mget({ docs: chunk.map((p) => ({ _index: p.index, _id: p.check.id })), _source: false });
      response.docs.forEach((doc, i) => {
        if ('error' in doc) {
          if (doc.error.type === 'index_not_found_exception') {
            cached = null;
            return;
          }
          const { check, index } = chunk[i]!;
          throw new Error(`appendChecks: looking up check ${check.id} in ${index} failed: ${doc.error.type}: ${doc.error.reason}`);
        }
        if (doc.found) found.add(doc._id);
      });
    }
    return found;
  };

  /**
   * Checks of the batch already stored in an index other than `exclude(check)` (the one it goes
   * or went to): the indices that may hold it by its timestamp, and the `also` ones.
   */
  const storedElsewhere = async (checks: Check[], indices: BackingIndex[], exclude: (check: Check) => string, also: string[] = []) =>
    storedIn(
      checks.flatMap((check) => {
        const candidates = new Set([...indicesHolding(indices, check.timestamp).map((index) => index.name), ...also]);
        candidates.delete(exclude(check));
        return [...candidates].map((index) => ({ index, check }));
      }),
    );

  /**
   * After a rollover during the bulk: deletes the checks just created that an older index holds
   * already. `known` is the write index the batch was looked up against (not the cache, which a
   * concurrent call may have renewed meanwhile). Besides the indices their timestamps point to,
   * `known` and those after it are looked in, whatever the timestamps say (a clock far ahead).
   */
  const undoDuplicates = async (created: Array<{ check: Check; index: string }>, known: string) => {
    const moved = created.filter((c) => c.index !== known);
    if (moved.length === 0) return;
    const indices = await backing(true);
    const since = indices.findIndex((index) => index.name === known);
    const recent = since < 0 ? [] : indices.slice(since).map((index) => index.name);
    const where = new Map(moved.map((c) => [c.check.id, c.index]));
    const duplicates = await storedElsewhere(
      moved.map((c) => c.check),
      indices,
      (check) => where.get(check.id) ?? '',
      recent,
    );
    if (duplicates.size === 0) return;
    const operations = [...duplicates].map((id) => ({ delete: { _index: where.get(id) ?? '', _id: id } }));
    const response = await ctx.client.bulk({ operations });
    const failed = response.items.filter((item) => {
      const status = item.delete?.status ?? 0;
      return status >= 300 && status !== 404;
    });
    if (failed.length > 0) {
      const first = failed[0]!.delete;
      throw new Error(
        `appendChecks: removing ${failed.length} duplicate check(s) created across a rollover of ${stream} failed: ` +
          `${first?._id}: ${first?.error?.type}: ${first?.error?.reason}`,
      );
    }
  };

  const bulkCreate = async (checks: Check[], known: string) => {
    let pending = checks;
    let reason = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        await options.onRetry?.({ attempt, checks: pending.length, reason });
        await sleep(backoff(backoffMs, attempt - 1));
      }
      const ingested = new Date(ctx.clock()).toISOString();
      const operations = pending.flatMap((check) => {
        const doc = checkToEcs(check);
        return [{ create: { _index: stream, _id: check.id } }, { ...doc, event: { ...doc.event, ingested } }];
      });
      let response: estypes.BulkResponse;
      try {
        response = await ctx.client.bulk({ operations });
      } catch (error) {
        if (!isRetriable(error)) {
          throw new Error(`appendChecks: bulk of ${pending.length} check(s) into ${stream} failed: ${describe(error)}`, { cause: error });
        }
        reason = describe(error);
        continue;
      }
      if (response.items.length !== pending.length) {
        throw new Error(`appendChecks: bulk into ${stream} answered ${response.items.length} items for ${pending.length} checks`);
      }
      const retry: Check[] = [];
      const refused: string[] = [];
      const created: Array<{ check: Check; index: string }> = [];
      response.items.forEach((item, i) => {
        const check = pending[i]!;
        const result = item.create;
        const status = result?.status ?? 0;
        if (status === 200 || status === 201) created.push({ check, index: result?._index ?? '' });
        else if (status === 409) return;
        else if (status === 429 || status >= 500) {
          retry.push(check);
          reason = `${status} ${result?.error?.type}: ${result?.error?.reason}`;
        } else refused.push(`${check.id}: ${status} ${result?.error?.type}: ${result?.error?.reason}`);
      });
      await undoDuplicates(created, known);
      if (refused.length > 0) {
        throw new Error(`appendChecks: ${stream} refused ${refused.length} check(s): ${refused.slice(0, 5).join('; ')}`);
      }
      if (retry.length === 0) return;
      pending = retry;
    }
    throw new Error(`appendChecks: ${pending.length} check(s) not stored in ${stream} after ${attempts} attempts: ${reason}`);
  };

  return {
    async appendChecks(checks) {
      const byId = new Map<string, Check>();
      for (const check of checks) if (!byId.has(check.id)) byId.set(check.id, check);
      const batch = [...byId.values()];
      if (batch.length === 0) return;
      const indices = await backing();
      const writeIndex = indices.at(-1)!.name;
      const stored = await storedElsewhere(batch, indices, () => writeIndex);
      const fresh = stored.size === 0 ? batch : batch.filter((check) => !stored.has(check.id));
      if (fresh.length > 0) await bulkCreate(fresh, writeIndex);
    },
  };
}

function isRetriable(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status === 429 || status >= 500;
  return error instanceof errors.ConnectionError || error instanceof errors.TimeoutError || error instanceof errors.NoLivingConnectionsError;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Exponential backoff with equal jitter: half of the doubled delay fixed, half random. */
function backoff(baseMs: number, retry: number): number {
  const delay = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (retry - 1));
  return delay / 2 + Math.random() * (delay / 2);
}
