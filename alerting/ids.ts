// Deterministic ids for incidents and deliveries. An engine that crashes after persisting, or that
// loses a compare-and-set and re-folds, computes the very same ids again, so the store's
// "insert if the id is new" turns every retry into a no-op instead of a second message.

import { createHash } from 'node:crypto';
import type { NotificationKind } from '../store/types.ts';

function digest(parts: readonly (string | number)[]): string {
  // JSON keeps part boundaries unambiguous ("a|b" + "c" never equals "a" + "b|c").
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 24);
}

/** An incident is named by the first failing check of the streak that confirmed it. */
export function incidentId(monitorId: string, firstCheckId: string): string {
  return `inc_${digest(['incident', monitorId, firstCheckId])}`;
}

/**
 * One delivery per (transition, contact). `ordinal` tells reminders of one incident apart (their
 * due time); it is 0 for down and up, which happen once per incident.
 */
export function deliveryId(incident: string, kind: NotificationKind, ordinal: number, contactId: string): string {
  return `dlv_${digest(['delivery', incident, kind, ordinal, contactId])}`;
}

/**
 * One certificate message per (monitor, certificate, threshold, contact): two engines, or one
 * that crashed and folds again, compute the same id for the same news.
 */
export function certDeliveryId(monitorId: string, sha256: string, thresholdDays: number, contactId: string): string {
  return `dlv_${digest(['cert', monitorId, sha256, thresholdDays, contactId])}`;
}
