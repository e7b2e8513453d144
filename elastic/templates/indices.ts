// Mappings of the regular (mutable) indices: users, monitors, contacts, API keys, maintenance
// windows, alert state,
// incidents, the outbox, and a small meta index (evaluator cursor, change counters). Documents
// keep our plain data types' field names and epoch-millisecond times, so the store maps them
// 1:1. Each property list `satisfies Record<keyof Type, …>`: a field added to store/types.ts
// without a mapping fails the type-check, not a write at run time.

import type { estypes } from '@elastic/elasticsearch';
import type { MaintenanceRepeat, MaintenanceWindow } from '../../store/maintenance.ts';
import type { AlertState, ApiKey, Contact, Delivery, Incident, Monitor, User } from '../../store/types.ts';
import { bool, epochMillis, keyword, long, object, storedOnly } from './fields.ts';

type Prop = estypes.MappingProperty;

/** Emails are compared case-insensitively: the `lowercase` normalizer is defined in the settings. */
const email: Prop = { type: 'keyword', normalizer: 'lowercase' };
/** Kept for the store, never searched: not indexed. */
const opaque: Prop = { type: 'keyword', index: false, doc_values: false };

const users = {
  id: keyword,
  email,
  password_hash: opaque,
  status_slug: keyword,
  // Shown on the public page, never searched.
  status_title: opaque,
  status_description: opaque,
  token_generation: long,
  created_at: epochMillis,
} satisfies Record<keyof User, Prop>;

const monitors = {
  id: keyword,
  owner_id: keyword,
  name: { type: 'keyword', ignore_above: 1024, fields: { text: { type: 'text' } } },
  type: keyword,
  url: keyword,
  method: keyword,
  // Up to 64 KiB, may carry credentials: stored, not indexed.
  body: opaque,
  interval_seconds: long,
  timeout_ms: long,
  expect_status: keyword,
  keyword,
  keyword_absent: bool,
  // Values of any JSON type, never searched.
  json_assertions: storedOnly,
  max_response_ms: long,
  // Request headers may carry credentials (Authorization): stored, not indexed.
  headers: storedOnly,
  dns: object({ name: keyword, record_type: keyword, resolver: keyword, expect: keyword }),
  tls_expiry_days: long,
  confirm_failures: long,
  confirm_recoveries: long,
  remind_every_minutes: long,
  paused: bool,
  tags: keyword,
  timezone: keyword,
  public: bool,
  managed_by_file: bool,
  grace_seconds: long,
  // SHA-256 of the push token: looked up by term, never the token itself.
  push_token_hash: keyword,
  created_at: epochMillis,
  updated_at: epochMillis,
} satisfies Record<keyof Monitor, Prop>;

const contacts = {
  id: keyword,
  owner_id: keyword,
  monitor_id: keyword,
  type: keyword,
  address: keyword,
  created_at: epochMillis,
} satisfies Record<keyof Contact, Prop>;

/** Looked up by id (the document id); listed by owner; purged by expiry. */
const apiKeys = {
  id: keyword,
  owner_id: keyword,
  name: { type: 'keyword', ignore_above: 1024 },
  secret_hash: opaque,
  created_at: epochMillis,
  expires_at: epochMillis,
  last_used_at: epochMillis,
} satisfies Record<keyof ApiKey, Prop>;

const maintenanceRepeat = {
  every: keyword,
  days: keyword,
  from: keyword,
  to: keyword,
  tz: keyword,
} satisfies Record<keyof MaintenanceRepeat, Prop>;

const maintenance = {
  id: keyword,
  owner_id: keyword,
  name: { type: 'keyword', ignore_above: 1024, fields: { text: { type: 'text' } } },
  all_monitors: bool,
  monitor_ids: keyword,
  start: epochMillis,
  end: epochMillis,
  repeat: object(maintenanceRepeat),
  managed_by_file: bool,
  created_at: epochMillis,
  updated_at: epochMillis,
} satisfies Record<keyof MaintenanceWindow, Prop>;

const alertState = {
  monitor_id: keyword,
  status: keyword,
  streak_status: keyword,
  streak_count: long,
  streak_started_at: epochMillis,
  streak_check_id: keyword,
  streak_error_type: keyword,
  streak_error_message: { type: 'keyword', ignore_above: 4096, index: false },
  streak_status_code: long,
  last_check_at: epochMillis,
  open_incident_id: keyword,
  told_incident_id: keyword,
  last_notified_at: epochMillis,
  cert_sha256: keyword,
  cert_told_days: long,
  updated_at: epochMillis,
} satisfies Record<keyof AlertState, Prop>;

const incidents = {
  id: keyword,
  owner_id: keyword,
  monitor_id: keyword,
  started_at: epochMillis,
  resolved_at: epochMillis,
  cause_type: keyword,
  cause_message: { type: 'keyword', ignore_above: 4096, index: false },
  cause_status_code: long,
  check_id: keyword,
} satisfies Record<keyof Incident, Prop>;

const outbox = {
  id: keyword,
  owner_id: keyword,
  monitor_id: keyword,
  incident_id: keyword,
  contact_id: keyword,
  channel: keyword,
  address: keyword,
  kind: keyword,
  check_id: keyword,
  check_at: epochMillis,
  status: keyword,
  attempts: long,
  next_attempt_at: epochMillis,
  last_error: { type: 'keyword', ignore_above: 4096, index: false },
  created_at: epochMillis,
  sent_at: epochMillis,
  lease_owner: keyword,
  lease_expires_at: epochMillis,
  cert: object({ sha256: keyword, not_after: epochMillis, issuer: keyword, threshold_days: long }),
} satisfies Record<keyof Delivery, Prop>;

/** Named values shared by every instance: `key` is the document id as well. */
const meta = { key: keyword, value: keyword, counter: long, updated_at: epochMillis };

/** Suffix of each regular index: the full name is `uptime-<suffix>-<namespace>`. */
export const REGULAR_INDICES = {
  users,
  monitors,
  contacts,
  'api-keys': apiKeys,
  maintenance,
  // The state document also carries the effects of its last change (version, effects,
  // effects_applied): elastic/store/alerts.ts.
  'alert-state': { ...alertState, version: long, effects: storedOnly, effects_applied: bool },
  incidents,
  outbox,
  meta,
} as const satisfies Record<string, Record<string, Prop>>;

export type RegularIndex = keyof typeof REGULAR_INDICES;

export function regularIndexMappings(name: RegularIndex): estypes.MappingTypeMapping {
  return { dynamic: 'strict', date_detection: false, properties: REGULAR_INDICES[name] };
}

export const regularIndexSettings: estypes.IndicesIndexSettings = {
  number_of_shards: 1,
  // One replica where a second node exists; none on a single node, which would stay yellow.
  auto_expand_replicas: '0-1',
  analysis: { normalizer: { lowercase: { type: 'custom', filter: ['lowercase'] } } },
};
