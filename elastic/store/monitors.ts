// Monitors in the `monitors` index, one document per monitor (id = monitor id), fields 1:1 with
// the Monitor type. Reads by id are realtime GETs with the owner checked, so another owner's
// monitor behaves like a missing one; lists are searches, made to see a create, update or delete
// at once by writing with `refresh: 'wait_for'`.
//
// There are no transactions: an update is a read, a merge and a write conditional on the read's
// seq_no (retried on a lost race); a delete removes the monitor first (the point after which it is
// gone for every reader), then its children: alert state, contacts and pending deliveries. A crash
// in between leaves children of a missing monitor, which every owner-checked read ignores.
//
// monitorsChangeToken is a meta document rewritten with a fresh random value after every change,
// and read by realtime GET: pollers reload when it differs, never miss a change that was written
// before it (the token is written after the monitor), and cost one GET per poll.
//
// Also exported for the sibling modules: getOwnedMonitor.

import { setTimeout as sleep } from 'node:timers/promises';
import type { estypes } from '@elastic/elasticsearch';
import type { MonitorStore } from '../../store/contract.ts';
import { newId, newIdsInOrder } from '../../store/ids.ts';
import { decodePageCursor, encodePageCursor } from '../../store/page-cursor.ts';
import { withTypeDefaults } from '../../store/monitor-types.ts';
import type { Monitor, MonitorInput, MonitorPatch } from '../../store/types.ts';
import { type EsContext, isConflict, MAX_PAGE } from './context.ts';
import { getDoc, searchAll, type VersionedDoc } from './documents.ts';

/** Token returned before the first change of a namespace. */
export const INITIAL_CHANGE_TOKEN = 'initial';
const CHANGE_TOKEN_KEY = 'monitors-change';
/** Attempts of a conditional write that keeps losing to concurrent writers before giving up. */
const UPDATE_ATTEMPTS = 5;

/** The monitor when it exists and belongs to `ownerId`; null otherwise (missing or foreign alike). */
export async function getOwnedMonitor(ctx: EsContext, ownerId: string, monitorId: string): Promise<Monitor | null> {
  return (await getOwnedVersioned(ctx, ownerId, monitorId))?.source ?? null;
}

async function getOwnedVersioned(ctx: EsContext, ownerId: string, monitorId: string): Promise<VersionedDoc<Monitor> | null> {
  const doc = await getDoc<Monitor>(ctx, ctx.names.monitors, monitorId);
  return doc && doc.source.owner_id === ownerId ? { ...doc, source: fromDoc(doc.source) } : null;
}

/** Documents written before managed_by_file existed (template version 8) lack it: they came from the API. */
/** Documents written before monitor types (template version 7) read as http monitors. */
function fromDoc(doc: Monitor): Monitor {
  return withTypeDefaults({ ...doc, managed_by_file: doc.managed_by_file === true });
}

const OLDEST_FIRST: estypes.SortCombinations[] = [{ created_at: 'asc' }, { id: 'asc' }];

export function createMonitorStore(ctx: EsContext): MonitorStore {
  const { client, names } = ctx;

  const bumpChangeToken = async () => {
    await client.index({
      index: names.meta,
      id: CHANGE_TOKEN_KEY,
      document: { key: CHANGE_TOKEN_KEY, value: newId(), updated_at: ctx.clock() },
    });
  };

  const write = async (monitor: Monitor, version?: VersionedDoc<Monitor>) => {
    await client.index({
      index: names.monitors,
      id: monitor.id,
      document: monitor,
      refresh: 'wait_for',
      ...(version ? { if_seq_no: version.seq_no, if_primary_term: version.primary_term } : {}),
    });
  };

  /**
   * One bulk request, visible to searches when it returns. Plain index, not create: the ids are
   * fresh, so a write the client retries after a lost response lands on the same documents. A
   * refused item deletes the rest of the lot before the error is thrown (all or none).
   */
  const createMonitors = async (ownerId: string, inputs: MonitorInput[]): Promise<Monitor[]> => {
    if (inputs.length === 0) return [];
    const now = ctx.clock();
    const ids = newIdsInOrder(inputs.length);
    const monitors = inputs.map(
      (input, i): Monitor => ({ id: ids[i]!, owner_id: ownerId, ...pickInput(input), managed_by_file: input.managed_by_file === true, push_token_hash: input.push_token_hash ?? null, created_at: now, updated_at: now }),
    );
    const response = await client.bulk({
      operations: monitors.flatMap((monitor) => [{ index: { _index: names.monitors, _id: monitor.id } }, monitor]),
      refresh: 'wait_for',
    });
    if (response.errors) {
      const failed = response.items.findIndex((item) => item.index?.error);
      const reason = response.items[failed]?.index?.error;
      await client.bulk({ operations: ids.map((id) => ({ delete: { _index: names.monitors, _id: id } })), refresh: 'wait_for' });
      throw new Error(`creating ${inputs.length} monitor(s): item ${failed} refused: ${reason?.type}: ${reason?.reason ?? ''}`);
    }
    await bumpChangeToken();
    return monitors;
  };

  return {
    async createMonitor(ownerId, input) {
      const [created] = await createMonitors(ownerId, [input]);
      return created!;
    },

    createMonitors,

    async getMonitor(ownerId, id) {
      return getOwnedMonitor(ctx, ownerId, id);
    },

    async listMonitors(ownerId) {
      return (await searchAll<Monitor>(ctx, names.monitors, { bool: { filter: [{ term: { owner_id: ownerId } }] } }, OLDEST_FIRST)).map(fromDoc);
    },

    async findMonitors(ownerId, query) {
      const after = query.cursor === undefined ? undefined : decodePageCursor(query.cursor);
      const filter: estypes.QueryDslQueryContainer[] = [{ term: { owner_id: ownerId } }];
      if (query.q !== undefined) {
        const pattern = `*${query.q.replace(/[\\*?]/g, (c) => `\\${c}`)}*`;
        filter.push({
          bool: {
            should: [
              { wildcard: { name: { value: pattern, case_insensitive: true } } },
              { wildcard: { url: { value: pattern, case_insensitive: true } } },
            ],
            minimum_should_match: 1,
          },
        });
      }
      if (query.tag !== undefined) filter.push({ term: { tags: query.tag } });
      if (query.type !== undefined) {
        // Monitors written before types have no `type`: they are http monitors.
        const typed: estypes.QueryDslQueryContainer = { term: { type: query.type } };
        filter.push(
          query.type === 'http'
            ? { bool: { should: [typed, { bool: { must_not: { exists: { field: 'type' } } } }], minimum_should_match: 1 } }
            : typed,
        );
      }
      if (query.paused !== undefined) filter.push({ term: { paused: query.paused } });
      if (query.ids !== undefined) filter.push({ ids: { values: query.ids } });
      const limit = Math.min(query.limit, MAX_PAGE - 1);
      const response = await client.search<Monitor>({
        index: names.monitors,
        query: { bool: { filter } },
        sort: OLDEST_FIRST,
        // One hit more than asked tells whether another page follows.
        size: limit + 1,
        track_total_hits: false,
        ...(after ? { search_after: [after.createdAt, after.id] } : {}),
      });
      const hits = response.hits.hits.flatMap((hit) => (hit._source ? [fromDoc(hit._source)] : []));
      const items = hits.slice(0, limit);
      const last = items.at(-1);
      return { items, next_cursor: hits.length > limit && last ? encodePageCursor(last) : null };
    },

    async updateMonitor(ownerId, id, patch) {
      for (let attempt = 1; ; attempt += 1) {
        const current = await getOwnedVersioned(ctx, ownerId, id);
        if (!current) return null;
        const next: Monitor = { ...current.source, ...pickInput(patch), updated_at: ctx.clock() };
        try {
          await write(next, current);
        } catch (error) {
          if (!isConflict(error)) throw error;
          if (attempt >= UPDATE_ATTEMPTS) {
            throw new Error(`update of monitor ${id} lost ${attempt} races to concurrent writers; giving up`);
          }
          await sleep(backoffMs(attempt));
          continue;
        }
        await bumpChangeToken();
        return next;
      }
    },

    async deleteMonitor(ownerId, id) {
      if (!(await getOwnedMonitor(ctx, ownerId, id))) return false;
      // The owner never changes, so the check above still holds for this unconditional delete.
      const deleted = await client.delete({ index: names.monitors, id, refresh: 'wait_for' }, { ignore: [404] });
      if (deleted.result !== 'deleted') return false; // a concurrent delete got there first
      await client.delete({ index: names['alert-state'], id }, { ignore: [404] });
      // Deliveries enqueued moments ago may not be searchable yet: refresh before the query deletes.
      await client.indices.refresh({ index: [names.contacts, names.outbox] });
      await deleteByQuery(ctx, names.contacts, { term: { monitor_id: id } });
      await deleteByQuery(ctx, names.outbox, {
        bool: { filter: [{ term: { monitor_id: id } }, { term: { status: 'pending' } }] },
      });
      await bumpChangeToken();
      return true;
    },

    async listAllMonitors() {
      return (await searchAll<Monitor>(ctx, names.monitors, { match_all: {} }, OLDEST_FIRST)).map(fromDoc);
    },

    async findMonitorByPushTokenHash(hash) {
      // Writes wait for a refresh, so a search sees a create or a regenerated token at once.
      const response = await client.search<Monitor>({ index: names.monitors, query: { term: { push_token_hash: hash } }, size: 1 });
      const source = response.hits.hits[0]?._source;
      return source ? fromDoc(source) : null;
    },

    async monitorsChangeToken() {
      const doc = await getDoc<{ value: string }>(ctx, names.meta, CHANGE_TOKEN_KEY);
      return doc?.source.value ?? INITIAL_CHANGE_TOKEN;
    },
  };
}

/**
 * Deletes what `query` matches, refreshing after. A document changed while the query ran is a
 * version conflict, not deleted: the query runs again for those, a few times at most.
 */
export async function deleteByQuery(ctx: EsContext, index: string, query: estypes.QueryDslQueryContainer): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await ctx.client.deleteByQuery({ index, query, refresh: true, conflicts: 'proceed' });
    const failures = response.failures ?? [];
    if (failures.length > 0 || response.timed_out) {
      const timedOut = response.timed_out ? ' (timed out)' : '';
      throw new Error(`delete_by_query on ${index} failed${timedOut}: ${JSON.stringify(failures.slice(0, 3))}`);
    }
    if (!response.version_conflicts) return;
    if (attempt >= UPDATE_ATTEMPTS) {
      throw new Error(`delete_by_query on ${index} kept meeting concurrent writes (${response.version_conflicts} left)`);
    }
    await sleep(backoffMs(attempt));
  }
}

/** 10, 20, 40 ms… with jitter, so that racing writers do not retry in lockstep. */
export function backoffMs(attempt: number): number {
  return 10 * 2 ** (attempt - 1) * (0.5 + Math.random());
}

// Every field a caller may set, and only those: a document is strict-mapped, and a patch with an
// `undefined` value must leave the field as it was rather than erase it.
const INPUT_FIELDS: Record<keyof MonitorInput, true> = {
  name: true,
  type: true,
  url: true,
  method: true,
  body: true,
  interval_seconds: true,
  timeout_ms: true,
  expect_status: true,
  keyword: true,
  keyword_absent: true,
  json_assertions: true,
  max_response_ms: true,
  headers: true,
  dns: true,
  tls_expiry_days: true,
  confirm_failures: true,
  confirm_recoveries: true,
  remind_every_minutes: true,
  paused: true,
  tags: true,
  timezone: true,
  public: true,
  managed_by_file: true,
  grace_seconds: true,
  push_token_hash: true,
};

function pickInput(input: MonitorInput): MonitorInput;
function pickInput(input: MonitorPatch): MonitorPatch;
function pickInput(input: MonitorPatch): MonitorPatch {
  const picked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined && Object.hasOwn(INPUT_FIELDS, key)) picked[key] = value;
  }
  return picked as MonitorPatch;
}
