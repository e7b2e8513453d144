// Materialising the effects of an alert state change (store/contract.ts AlertStore): the
// incident it opens or resolves, the deliveries it enqueues, and the audit events of the
// incident. The state document carries them (elastic/store/alerts.ts); this writes them to their
// own indices in one bulk request, idempotently, so that any number of writers and readers may
// repeat it after a crash:
//
//   incident   indexed by id with the state's version as an external version (`external_gte`):
//              a repeat of the same change rewrites the same document, and a slow reader
//              repeating an older change cannot roll back a newer one (409: skipped).
//   deliveries created by id: an existing one (perhaps sent already) is kept as it is (409).
//   events     created with the deterministic `event.id` as _id (409: appended before). A data
//              stream's _id is unique only within one backing index: right after a rollover a
//              repeat could append a second copy of the same event.

import type { estypes } from '@elastic/elasticsearch';
import type { AlertEffects } from '../../store/contract.ts';
import { incidentToEcsEvent } from '../../store/ecs.ts';
import type { Delivery, Incident } from '../../store/types.ts';
import type { EsContext } from './context.ts';

/** Field lists of the stored documents: `pick` copies exactly these (the mappings are strict). */
export const INCIDENT_FIELDS: Record<keyof Incident, true> = {
  id: true,
  owner_id: true,
  monitor_id: true,
  started_at: true,
  resolved_at: true,
  cause_type: true,
  cause_message: true,
  cause_status_code: true,
  check_id: true,
};

export const DELIVERY_FIELDS: Record<keyof Delivery, true> = {
  id: true,
  owner_id: true,
  monitor_id: true,
  incident_id: true,
  contact_id: true,
  channel: true,
  address: true,
  kind: true,
  check_id: true,
  check_at: true,
  status: true,
  attempts: true,
  next_attempt_at: true,
  last_error: true,
  created_at: true,
  sent_at: true,
  lease_owner: true,
  lease_expires_at: true,
  cert: true,
};

/** A copy of `source` with exactly the listed fields; a missing one (a stored null) becomes null. */
export function pick<T>(fields: Record<keyof T, true>, source: T): T {
  const record = source as Record<keyof T, unknown>;
  return Object.fromEntries(Object.keys(fields).map((key) => [key, record[key as keyof T] ?? null])) as T;
}

export const hasEffects = (effects: AlertEffects): boolean =>
  effects.incident !== undefined || (effects.deliveries?.length ?? 0) > 0;

/**
 * Writes the effects of the state change that produced `version`. Resolves when every write is
 * done or was found done already; rejects naming the first item that failed otherwise.
 */
export async function materialiseEffects(ctx: EsContext, effects: AlertEffects, version: number): Promise<void> {
  if (!hasEffects(effects)) return;
  const operations: estypes.BulkRequest['operations'] = [];
  if (effects.incident) {
    const incident = pick(INCIDENT_FIELDS, effects.incident);
    operations.push(
      { index: { _index: ctx.names.incidents, _id: incident.id, version, version_type: 'external_gte' } },
      incident,
    );
    const event = incidentToEcsEvent(incident);
    operations.push({ create: { _index: ctx.names.events, _id: event.event.id } }, event);
  }
  for (const delivery of effects.deliveries ?? []) {
    operations.push({ create: { _index: ctx.names.outbox, _id: delivery.id } }, pick(DELIVERY_FIELDS, delivery));
  }
  await bulkIgnoringConflicts(ctx, operations, 'materialising alert effects');
}

/** A bulk request whose per-item 409s mean "done before"; any other item error rejects. */
export async function bulkIgnoringConflicts(
  ctx: EsContext,
  operations: NonNullable<estypes.BulkRequest['operations']>,
  what: string,
): Promise<void> {
  if (operations.length === 0) return;
  const response = await ctx.client.bulk({ operations });
  if (!response.errors) return;
  for (const item of response.items) {
    const [action, result] = Object.entries(item)[0] ?? [];
    if (!result || result.status === 409 || !result.error) continue;
    throw new Error(
      `${what}: ${action} of ${result._index}/${result._id ?? '?'} failed with ${result.status}: ${result.error.type}: ${result.error.reason ?? ''}`,
    );
  }
}
