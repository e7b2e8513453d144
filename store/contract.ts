// The store contract: the one way every role reaches data. Split by capability so that each role
// depends on what it uses; a backend implements all of them (`Store`). Every method is scoped by
// owner where a user's data is concerned: another owner's id behaves exactly like a missing one.
//
// It is written for the weaker of the two backends, a search engine (DESIGN "store/"):
// - Durability: a returned promise resolves only after the write is durable (SQLite: committed;
//   Elasticsearch: acknowledged by the primary).
// - Visibility: users, monitors and contacts, alert state and the evaluator cursor read their own
//   writes. Everything else is read by search and is near-real-time: a write becomes visible to
//   listChecks, history, summary, readChecksAfter, listIncidents, listOpenIncidents,
//   listDeliveriesPage, listPendingDeliveries and claimDueDeliveries within the backend's
//   refresh interval (Elasticsearch: 1 s; SQLite: at once). Tests call the conformance suite's `refresh` instead of sleeping.
//   getIncident reads by id and sees an incident as soon as its compare-and-set returned.
// - Order: there is no global order in which checks were accepted; readers of new checks use a
//   cursor on an ingest time and must treat a re-read as harmless (readChecksAfter).
// - Atomicity: one document at a time. A compare-and-set of an alert state carries its effects
//   (incident, deliveries), which the backend materialises idempotently (AlertStore).

import type {
  AlertState,
  ApiKey,
  ApiKeyInput,
  Check,
  ChecksPage,
  Contact,
  ContactType,
  DeliveriesPage,
  Delivery,
  History,
  Incident,
  Monitor,
  MonitorInput,
  MonitorPatch,
  MonitorQuery,
  MonitorsPage,
  MonitorSummary,
  StatusPageSetting,
  User,
} from './types.ts';
import type { MaintenanceInput, MaintenanceWindow } from './maintenance.ts';

/** Raised by createUser when the email is taken (compared case-insensitively). */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** Raised by a compare-and-set whose expected version is no longer current. Nothing was written. */
export class CasConflictError extends Error {
  override name = 'CasConflictError';
}

/** Raised when a delivery's lease was lost (expired and claimed by another dispatcher). */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/** Raised when a cursor passed back to the store was not issued by it (tampered or from another backend). */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** last_error of a delivery cancelled because its contact was deleted (by the store or the dispatcher). */
export const CONTACT_DELETED = 'not sent: the contact was deleted';

export interface UserStore {
  /** Throws ConflictError when the email is taken. token_generation starts at 0. */
  createUser(user: { email: string; password_hash: string }): Promise<User>;
  getUser(id: string): Promise<User | null>;
  /** Case-insensitive. */
  getUserByEmail(email: string): Promise<User | null>;
  /**
   * Publishes the public status page (slug, title, description, written together) or takes it
   * down (null: all three cleared). A new slug frees the old one. Throws ConflictError when the
   * slug is another user's. null when the user does not exist.
   */
  setStatusPage(userId: string, page: StatusPageSetting | null): Promise<User | null>;
  getUserByStatusSlug(slug: string): Promise<User | null>;
  /**
   * Replaces the password hash and bumps token_generation in the same write, so that no token
   * issued before the change is accepted after it. null when the user does not exist.
   */
  updatePassword(userId: string, passwordHash: string): Promise<User | null>;
  /** Bumps token_generation (logout: every token issued so far stops working). null when missing. */
  bumpTokenGeneration(userId: string): Promise<User | null>;
}

export interface MonitorStore {
  createMonitor(ownerId: string, input: MonitorInput): Promise<Monitor>;
  /**
   * Creates all of them or none (a failure undoes what was written, then throws); returned and
   * listed in the order given. One change of monitorsChangeToken for the lot.
   */
  createMonitors(ownerId: string, inputs: MonitorInput[]): Promise<Monitor[]>;
  getMonitor(ownerId: string, id: string): Promise<Monitor | null>;
  /** Oldest first. */
  listMonitors(ownerId: string): Promise<Monitor[]>;
  /**
   * A page of the owner's monitors matching every filter given, oldest first (created_at, then
   * id). `next_cursor` is opaque, null on the last page; one the store did not issue raises
   * InvalidCursorError.
   */
  findMonitors(ownerId: string, query: MonitorQuery): Promise<MonitorsPage>;
  /** null when the monitor does not exist for this owner. Bumps updated_at. */
  updateMonitor(ownerId: string, id: string, patch: MonitorPatch): Promise<Monitor | null>;
  /** Deletes the monitor with its contacts, alert state and pending deliveries; checks age out. */
  deleteMonitor(ownerId: string, id: string): Promise<boolean>;
  /** Every monitor of every owner, for the collector and the evaluator. */
  listAllMonitors(): Promise<Monitor[]>;
  /**
   * The live monitor whose push_token_hash is `hash` (any owner: the token is the credential of
   * /push/{token}); null when none. Sees a create or update at once: a regenerated token's old
   * hash finds nothing as soon as updateMonitor has returned.
   */
  findMonitorByPushTokenHash(hash: string): Promise<Monitor | null>;
  /**
   * Cheap token that changes whenever any monitor is created, updated or deleted, so pollers
   * reload only on change.
   */
  monitorsChangeToken(): Promise<string>;
}

export interface ContactStore {
  addContact(ownerId: string, monitorId: string, contact: { type: ContactType; address: string }): Promise<Contact | null>;
  listContacts(ownerId: string, monitorId: string): Promise<Contact[]>;
  /**
   * Deletes the contact and cancels its pending deliveries that no dispatcher holds (status
   * `cancelled`, visible in the lists of deliveries). One held by a dispatcher at that moment is
   * cancelled by that dispatcher, which checks that the contact still exists before it sends.
   */
  deleteContact(ownerId: string, monitorId: string, contactId: string): Promise<boolean>;
}

/**
 * API keys of an owner. Read by id (authentication) and listed: both see a create or a revoke as
 * soon as it returned, so a revoked key is refused at once on every instance; a touch is seen at
 * once by getApiKey and by listApiKeys within the refresh interval (Elasticsearch: 1 s).
 */
export interface ApiKeyStore {
  /** Stores a new key of `ownerId` under a fresh id; created_at is now, last_used_at null. */
  createApiKey(ownerId: string, input: ApiKeyInput): Promise<ApiKey>;
  /**
   * The key with this id, whoever owns it: authentication learns the owner from it (and the
   * caller then checks the secret). null when missing or revoked.
   */
  getApiKey(id: string): Promise<ApiKey | null>;
  /** The owner's keys, oldest first (created_at, then id). */
  listApiKeys(ownerId: string): Promise<ApiKey[]>;
  /** Deletes the key for good; false when it does not exist for this owner. */
  revokeApiKey(ownerId: string, id: string): Promise<boolean>;
  /** Sets last_used_at to `at` unless it is later already. A missing key stays missing. */
  touchApiKey(id: string, at: number): Promise<void>;
}

/**
 * Maintenance windows (store/maintenance.ts), owned like monitors. Their monitor ids are kept as
 * given: the API checks that they are the caller's; a monitor deleted later is simply never
 * matched. Reads see their own writes (lists included), so a window just created silences the
 * next evaluator pass.
 */
export interface MaintenanceStore {
  createMaintenanceWindow(ownerId: string, input: MaintenanceInput): Promise<MaintenanceWindow>;
  getMaintenanceWindow(ownerId: string, id: string): Promise<MaintenanceWindow | null>;
  /** Oldest first. */
  listMaintenanceWindows(ownerId: string): Promise<MaintenanceWindow[]>;
  /** Replaces every field of the input (created_at kept, updated_at bumped); null when missing. */
  updateMaintenanceWindow(ownerId: string, id: string, input: MaintenanceInput): Promise<MaintenanceWindow | null>;
  deleteMaintenanceWindow(ownerId: string, id: string): Promise<boolean>;
  /** Every window of every owner, oldest first, for the evaluator. */
  listAllMaintenanceWindows(): Promise<MaintenanceWindow[]>;
}

export type ListChecksQuery = {
  /** Inclusive. */
  from?: number;
  /** Exclusive. */
  to?: number;
  status?: 'up' | 'down';
  limit: number;
  cursor?: string;
};

export type HistoryQuery = {
  from: number;
  to: number;
  bucket: 'hour' | 'day';
  /** IANA time zone for bucket boundaries. */
  tz: string;
};

export interface CheckWriter {
  /**
   * Appends a batch. Idempotent by check id: a check whose id is stored already is skipped, so a
   * replayed batch is a no-op. Resolves once every check is durable; rejects (storing none of
   * the failing ones) on error, and the caller may replay the whole batch.
   */
  appendChecks(checks: Check[]): Promise<void>;
}

export interface CheckReader {
  /**
   * Newest first (timestamp, then a stable tiebreak: the id on Elasticsearch, acceptance order
   * on SQLite). `next_cursor` is opaque; null on the last page. A cursor the store did not issue
   * raises InvalidCursorError. null when the monitor does not exist for this owner.
   */
  listChecks(ownerId: string, monitorId: string, query: ListChecksQuery): Promise<ChecksPage | null>;
  /**
   * Buckets from `from` to `to` in `tz`, every bucket present (empty ones with checks = 0 and
   * uptime null), so that a chart has no gaps. Days follow the zone's calendar (23 or 25 hours
   * on DST change days). A bucket's `start` is its calendar start (the first may begin before
   * `from`), but only checks in [from, to) are counted. Response statistics count up checks only
   * (total_us, or duration_us when total is null). Rejects with a RangeError naming an unknown
   * zone or an empty range.
   */
  history(ownerId: string, monitorId: string, query: HistoryQuery): Promise<History | null>;
  /**
   * One row per monitor of the owner, oldest monitor first. A backend may align windows to whole
   * hours: a window of W hours then covers the current hour up to `now` and the W - 1 before it.
   */
  summary(ownerId: string, now: number): Promise<MonitorSummary[]>;
  /**
   * The alerting evaluator's feed of new checks. Returns checks stored after the ones `cursor`
   * (null: from the oldest retained) had returned, in ingest order as far as the backend knows it,
   * and the cursor to pass next time (the same one when nothing new arrived). Promises: every
   * stored check of an existing monitor is returned at least once by the reads that follow its
   * write, however writers interleave (several collectors, a slow bulk, refresh lag); a check may
   * be returned again (a re-read), so the caller must make re-reads harmless. A page shorter
   * than `limit` means the reader has caught up for now. Checks of deleted monitors are left out.
   * SQLite returns each check once, in acceptance order; Elasticsearch re-reads checks ingested
   * within its overlap window once that window has passed (elastic/store/checks-feed.ts).
   */
  readChecksAfter(cursor: string | null, limit: number): Promise<{ checks: Check[]; cursor: string | null }>;
}

export interface RetentionStore {
  /**
   * Deletes what has aged out at `before`, and returns when done: checks (and their rollups)
   * older than it, incidents resolved before it, finished deliveries (sent, dead, cancelled)
   * created before it, and audit events older than it (Elasticsearch). Open incidents and
   * pending deliveries are kept whatever their age. API keys that expired before it go too.
   */
  purgeChecksBefore(before: number): Promise<void>;
}

export type AlertEffects = {
  /** Inserted or replaced by id (open on down, resolved on up). */
  incident?: Incident;
  /** Enqueued idempotently by id with the state (materialised by id). */
  deliveries?: Delivery[];
};

/**
 * Alert state, one document per monitor, changed only by compare-and-set. A change carries its
 * effects (the incident it opens or resolves, the deliveries it enqueues) in the same document
 * write; the backend then materialises them by id (incident replaced, deliveries inserted when
 * new), before any later change of the same monitor is written and before getAlertState answers.
 * So a crash between any two writes loses no effect and duplicates none: the next reader of the
 * state finishes the job. SQLite writes state and effects in one transaction.
 */
export interface AlertStore {
  /** The state and its version; pending effects of the last change are materialised first. */
  getAlertState(monitorId: string): Promise<{ state: AlertState; version: number } | null>;
  /**
   * Writes `next` if the stored version equals `expectedVersion` (null: no state stored yet),
   * with `effects` as described above. Returns the new version. Throws CasConflictError when
   * another writer got there first; then neither the state nor its effects were written.
   */
  compareAndSetAlertState(
    monitorId: string,
    expectedVersion: number | null,
    next: AlertState,
    effects: AlertEffects,
  ): Promise<number>;
  /** Incidents overlapping [from, to) (open ones extend to now), newest first; null for a missing monitor. */
  listIncidents(ownerId: string, monitorId: string, range: { from?: number; to?: number }): Promise<Incident[] | null>;
  /**
   * One incident by id, read by id (not by search: it sees the compare-and-set that wrote it at
   * once). null when the monitor does not exist for this owner (another owner's, deleted) or the
   * incident is not one of that monitor's.
   */
  getIncident(ownerId: string, monitorId: string, incidentId: string): Promise<Incident | null>;
  /** Open incidents of an owner's monitors, for the summary. */
  listOpenIncidents(ownerId: string): Promise<Incident[]>;
  /** Where the evaluator stopped reading checks; shared by every alerting instance. */
  getEvaluatorCursor(): Promise<string | null>;
  setEvaluatorCursor(cursor: string | null): Promise<void>;
}

/**
 * Deliveries waiting to be sent, and sent. A `cert` delivery (a certificate about to expire) is
 * about no incident: its incident_id is null and its `cert` says which certificate and threshold;
 * every other kind has an incident and no `cert`.
 */
export interface OutboxStore {
  /** Inserts deliveries whose id is new; existing ids are left as they are. */
  enqueueDeliveries(deliveries: Delivery[]): Promise<void>;
  /**
   * Claims up to `limit` pending deliveries due at `now` whose lease is free or expired, leasing
   * them to `worker` until now + leaseMs. Two concurrent claimers never receive the same delivery.
   */
  claimDueDeliveries(worker: string, now: number, leaseMs: number, limit: number): Promise<Delivery[]>;
  /** Marks sent. Throws LeaseLostError when `worker` no longer holds the lease. */
  completeDelivery(id: string, worker: string, now: number): Promise<void>;
  /**
   * Records a failed attempt: pending again at `nextAttemptAt`, or dead when that is null.
   * Throws LeaseLostError when `worker` no longer holds the lease.
   */
  failDelivery(id: string, worker: string, error: string, nextAttemptAt: number | null): Promise<void>;
  /**
   * Marks a leased delivery cancelled without sending it (its contact is gone), with `reason` as
   * its last error; attempts are unchanged. Throws LeaseLostError when `worker` no longer holds it.
   */
  cancelDelivery(id: string, worker: string, reason: string): Promise<void>;
  /**
   * Pending deliveries of one incident to one contact, oldest check first, at most `limit`: the
   * dispatcher's bounded question "is an earlier message to this contact still unsent?".
   */
  listPendingDeliveries(incidentId: string, contactId: string, limit: number): Promise<Delivery[]>;
  /**
   * A page of a monitor's deliveries, newest first (created_at, then id). `next_cursor` is opaque;
   * null on the last page. A cursor the store did not issue raises InvalidCursorError. null when
   * the monitor does not exist for this owner.
   */
  listDeliveriesPage(ownerId: string, monitorId: string, query: ListDeliveriesQuery): Promise<DeliveriesPage | null>;
}

export type ListDeliveriesQuery = { limit: number; cursor?: string };

export interface StoreLifecycle {
  readonly backend: 'sqlite' | 'elasticsearch';
  /** Resolves when the backend answers; rejects with the reason otherwise (readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type Store = UserStore &
  MonitorStore &
  ContactStore &
  ApiKeyStore &
  MaintenanceStore &
  CheckWriter &
  CheckReader &
  RetentionStore &
  AlertStore &
  OutboxStore &
  StoreLifecycle;
