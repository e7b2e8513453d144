// Plain data types shared by every part. They carry no methods; the check's ECS form is built in
// one place (store/ecs.ts). Times inside the product are epoch milliseconds; the API turns them
// into ISO 8601 strings at the edge.

export type ContactType = 'email' | 'sms' | 'webhook' | 'slack' | 'discord' | 'teams' | 'pagerduty' | 'ntfy';
export const CONTACT_TYPES = ['email', 'sms', 'webhook', 'slack', 'discord', 'teams', 'pagerduty', 'ntfy'] as const satisfies readonly ContactType[];

/** What a monitor probes (DESIGN "Monitor types"); each probed type is one module in collector/probes/. */
export type MonitorType = 'http' | 'tcp' | 'dns' | 'push';
export const MONITOR_TYPES = ['http', 'tcp', 'dns', 'push'] as const satisfies readonly MonitorType[];

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const satisfies readonly HttpMethod[];

export type DnsRecordType = 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'NS';
export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'] as const satisfies readonly DnsRecordType[];

/** The question a `dns` monitor asks. */
export type DnsQuery = {
  name: string;
  record_type: DnsRecordType;
  /** "ip" or "ip:port" ("[v6]:port"); null: the system's resolvers. */
  resolver: string | null;
  /** A value that must be among the answers; null: any answer will do. */
  expect: string | null;
};

export type JsonAssertionOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'exists';
export const JSON_ASSERTION_OPS = ['==', '!=', '<', '<=', '>', '>=', 'contains', 'exists'] as const satisfies readonly JsonAssertionOp[];
export type JsonScalar = string | number | boolean | null;
/** One rule on a JSON response body: the value at `path` (a JSONPath subset, `$.a.b[0].c`) compared to `value`. */
export type JsonAssertion = { path: string; op: JsonAssertionOp; value: JsonScalar };

export type ErrorType =
  | 'dns'
  | 'connect'
  | 'timeout'
  | 'tls'
  | 'status'
  | 'keyword'
  | 'assertion'
  | 'slow'
  | 'redirects'
  | 'body'
  | 'blocked'
  | 'protocol'
  | 'missed'
  | 'reported';
export const ERROR_TYPES = [
  'dns',
  'connect',
  'timeout',
  'tls',
  'status',
  'keyword',
  // A json_assertions rule does not hold (its message names the path, expected and actual).
  'assertion',
  // Slower than max_response_ms.
  'slow',
  'redirects',
  'body',
  'blocked',
  // The reply is not HTTP/1.x, or its headers are malformed or too large.
  'protocol',
  // A push monitor's heartbeat did not arrive in time.
  'missed',
  // A push monitor's job said it failed (/push/{token}?status=down); its msg is the message.
  'reported',
] as const satisfies readonly ErrorType[];

export type User = {
  id: string;
  email: string;
  /** scrypt hash, encoded by api/auth/password.ts; never leaves the server. */
  password_hash: string;
  /** Public status page slug, or null when the user has not opted in. */
  status_slug: string | null;
  /** The status page's title; null: none set (the page is titled by its slug). */
  status_title: string | null;
  /** A short text shown under the status page's title; null: none. */
  status_description: string | null;
  /**
   * Generation of the user's access tokens: every token carries the one it was issued at, and
   * only tokens of the current generation are accepted. Logout and a password change bump it,
   * which revokes every token issued before at once (api/auth/). Starts at 0.
   */
  token_generation: number;
  created_at: number;
};

/** What an owner publishes as the public status page (the store keeps it on the User). */
export type StatusPageSetting = { slug: string; title: string | null; description: string | null };

/**
 * One flat record for every type: the fields of the other types keep their neutral values (the
 * API's discriminated union decides which a caller may set), so both stores keep one shape.
 */
export type Monitor = {
  id: string;
  owner_id: string;
  name: string;
  type: MonitorType;
  /**
   * http: the http(s) URL; tcp: tcp://host:port or tls://host:port; dns: the question as an
   * RFC 4501 URI built from `dns` (dns:example.com?type=A, dns://192.0.2.53:53/example.com?type=MX).
   */
  url: string;
  method: HttpMethod;
  /** Request body (http), ≤ 64 KiB; its content type travels in `headers`. */
  body: string | null;
  interval_seconds: number;
  timeout_ms: number;
  /** Accepted status codes, e.g. "200-399" or "200,204". */
  expect_status: string;
  keyword: string | null;
  /** true: the keyword must NOT be in the body (down when found). */
  keyword_absent: boolean;
  json_assertions: JsonAssertion[];
  /** A slower response is down (error.type slow); null: no limit but the timeout. */
  max_response_ms: number | null;
  headers: Record<string, string>;
  /** The question of a `dns` monitor; null for every other type. */
  dns: DnsQuery | null;
  /**
   * Days before a certificate expires at which its contacts are told, once per threshold and
   * certificate (alerting/cert-expiry.ts); distinct, 1..365; [] = never.
   */
  tls_expiry_days: number[];
  /**
   * push: seconds a heartbeat may be late beyond interval_seconds before the collector writes a
   * `missed` down check (collector/push-deadlines.ts); 0 for every other type.
   */
  grace_seconds: number;
  /**
   * push: SHA-256 (hex) of the monitor's secret push token; the token itself is never stored and
   * is shown once, at creation and on regeneration (api/push/). null for every other type.
   */
  push_token_hash: string | null;
  confirm_failures: number;
  confirm_recoveries: number;
  remind_every_minutes: number;
  paused: boolean;
  tags: string[];
  /** IANA zone used in notifications and as the default for history; null = UTC. */
  timezone: string | null;
  /** Shown on the owner's public status page. */
  public: boolean;
  /**
   * Created by the owner's MONITORS_FILE (monitors-file/): applying the file updates and deletes
   * it. Monitors created through the API are false, and the file never touches them.
   */
  managed_by_file: boolean;
  created_at: number;
  updated_at: number;
};

/**
 * Fields a caller may set; the store fills id, owner and timestamps. managed_by_file defaults to
 * false and push_token_hash to null at creation, and both are kept as they are by an update that
 * does not name them (only api/push/ sets a token, so applying MONITORS_FILE never erases one).
 */
export type MonitorInput = Omit<Monitor, 'id' | 'owner_id' | 'created_at' | 'updated_at' | 'managed_by_file' | 'push_token_hash'> & {
  managed_by_file?: boolean;
  push_token_hash?: string | null;
};
export type MonitorPatch = Partial<MonitorInput>;

export type Contact = {
  id: string;
  owner_id: string;
  monitor_id: string;
  type: ContactType;
  address: string;
  created_at: number;
};

/**
 * A long-lived credential of one owner, for scripts and CI (api/auth/api-keys.ts). The key itself
 * is shown once, when it is made; the store keeps only a keyed hash of its secret part.
 */
export type ApiKey = {
  id: string;
  owner_id: string;
  name: string;
  /** Keyed hash of the secret part (api/auth/api-keys.ts); never leaves the server. */
  secret_hash: string;
  created_at: number;
  /** null: never expires. */
  expires_at: number | null;
  /** When it last authenticated a request, to within a minute (api/auth/); null: never used. */
  last_used_at: number | null;
};

/** Fields a caller sets; the store fills id, owner, created_at and last_used_at. */
export type ApiKeyInput = Pick<ApiKey, 'name' | 'secret_hash' | 'expires_at'>;

/** One probe's result. `id` is fixed at probe time, so a replayed write is a no-op. */
export type Check = {
  id: string;
  monitor_id: string;
  owner_id: string;
  monitor_name: string;
  monitor_type: MonitorType;
  url: string;
  /** The request's method; null for checks that send no HTTP request (tcp, dns). */
  method: HttpMethod | null;
  observer: string;
  /** Start of the probe. */
  timestamp: number;
  /** When the next probe of this monitor is scheduled (end of monitor.timespan). */
  next_at: number;
  status: 'up' | 'down';
  /** Whole probe, microseconds (monitor.duration.us). */
  duration_us: number;
  status_code: number | null;
  body_bytes: number | null;
  resolved_ip: string | null;
  dns_us: number | null;
  connect_us: number | null;
  tls_us: number | null;
  /** Request sent to first response byte (http.rtt.response_header.us). */
  first_byte_us: number | null;
  /** Request sent to body read (http.rtt.total.us). */
  total_us: number | null;
  tls_version: string | null;
  cert_not_after: number | null;
  cert_issuer: string | null;
  /** SHA-256 fingerprint of the server's certificate, lowercase hex (tls.server.hash.sha256). */
  cert_sha256: string | null;
  error_type: ErrorType | null;
  error_message: string | null;
  /** What a dns probe asked and heard (dns.*); absent for other types. */
  dns?: DnsCheck;
  /** Present when the probe ran inside one of the monitor's maintenance windows (`monitor.maintenance`). */
  maintenance?: true;
};

export type DnsCheck = {
  question_name: string;
  question_type: DnsRecordType;
  /** Answers as text (an address, a name, "10 mx.example.com", TXT strings joined), in the order received. */
  answers: string[];
  /** NOERROR, NXDOMAIN, SERVFAIL…; null when no answer came (timeout). */
  response_code: string | null;
};

export type AlertStatus = 'unknown' | 'up' | 'down';

/**
 * What the alerting state machine remembers per monitor. Columns, not a blob: every field is
 * named so that both backends can store and query it.
 */
export type AlertState = {
  monitor_id: string;
  status: AlertStatus;
  /** The run of consecutive results that disagree with `status` (or agree, for unknown). */
  streak_status: 'up' | 'down' | null;
  streak_count: number;
  /** First check of the current streak: its time, id and cause. */
  streak_started_at: number | null;
  streak_check_id: string | null;
  streak_error_type: ErrorType | null;
  streak_error_message: string | null;
  streak_status_code: number | null;
  /** Newest check folded into this state; older checks arriving late are ignored. */
  last_check_at: number | null;
  open_incident_id: string | null;
  /**
   * The incident whose DOWN the contacts were told last, and not yet its UP (null: they were told
   * all is well). Differs from open_incident_id only after a change inside a maintenance window,
   * until the window ends and the change is told (alerting/state-machine.ts).
   */
  told_incident_id: string | null;
  last_notified_at: number | null;
  /**
   * The certificate the contacts were last told about (SHA-256), and the most urgent threshold
   * (days) told for it: every threshold at or above it counts as told. A check showing another
   * certificate starts over (alerting/cert-expiry.ts). null: nothing told yet.
   */
  cert_sha256: string | null;
  cert_told_days: number | null;
  updated_at: number;
};

export type Incident = {
  id: string;
  owner_id: string;
  monitor_id: string;
  started_at: number;
  resolved_at: number | null;
  cause_type: ErrorType | null;
  cause_message: string | null;
  cause_status_code: number | null;
  /** The check that started it. */
  check_id: string;
};

/** `cert`: a certificate is about to expire (no incident; see Delivery.cert). */
export type NotificationKind = 'down' | 'up' | 'reminder' | 'cert';
/**
 * pending until sent, or dead (refused for good, or still failing 24 h on), or cancelled (its
 * contact was deleted before it went out: nothing is sent to an address that is no longer a contact).
 */
export type DeliveryStatus = 'pending' | 'sent' | 'dead' | 'cancelled';
export const DELIVERY_STATUSES = ['pending', 'sent', 'dead', 'cancelled'] as const satisfies readonly DeliveryStatus[];
export const NOTIFICATION_KINDS = ['down', 'up', 'reminder', 'cert'] as const satisfies readonly NotificationKind[];

/** What a `cert` delivery tells: the certificate seen by the check, and the threshold it crossed. */
export type DeliveryCert = {
  sha256: string;
  not_after: number;
  issuer: string | null;
  /** The threshold (days) this message is for. */
  threshold_days: number;
};

/** One message to one contact about one transition. `id` is deterministic: (transition, contact). */
export type Delivery = {
  id: string;
  owner_id: string;
  monitor_id: string;
  /** The incident told about; null for a `cert` delivery, which is about no incident. */
  incident_id: string | null;
  contact_id: string;
  channel: ContactType;
  address: string;
  kind: NotificationKind;
  /** The check that confirmed the transition (its time anchors latency and reminders). */
  check_id: string;
  check_at: number;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  /** Lease held by a dispatcher while it sends; null when free. */
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** Set for kind `cert` only. */
  cert: DeliveryCert | null;
};

export type ChecksPage = { items: Check[]; next_cursor: string | null };
export type DeliveriesPage = { items: Delivery[]; next_cursor: string | null };

/** Filters of findMonitors; every one given must hold. */
export type MonitorQuery = {
  /** Case-insensitive substring of the name or the URL. */
  q?: string;
  /** One of the monitor's tags, exactly. */
  tag?: string;
  type?: MonitorType;
  paused?: boolean;
  /** Only these monitors (another owner's ids match nothing). */
  ids?: string[];
  limit: number;
  /** Opaque; the previous page's next_cursor. */
  cursor?: string;
};

export type MonitorsPage = { items: Monitor[]; next_cursor: string | null };

export type HistoryBucket = {
  start: number;
  /** Every check: up + down + maintenance. */
  checks: number;
  up: number;
  down: number;
  /** Checks probed during a maintenance window: counted apart, neither up nor down. */
  maintenance: number;
  /** up / (up + down): maintenance left out; null when there is nothing else. */
  uptime: number | null;
  response_ms: { avg: number | null; p95: number | null; max: number | null };
};

export type History = {
  buckets: HistoryBucket[];
  totals: { checks: number; up: number; down: number; maintenance: number; uptime: number | null };
};

export type UptimeWindow = '24h' | '7d' | '30d' | '90d';
export const UPTIME_WINDOWS = ['24h', '7d', '30d', '90d'] as const satisfies readonly UptimeWindow[];

export type MonitorSummary = {
  monitor_id: string;
  name: string;
  url: string;
  paused: boolean;
  /** From the newest check; 'unknown' before the first one. */
  status: 'up' | 'down' | 'unknown';
  last_check: Check | null;
  uptime: Record<UptimeWindow, number | null>;
  avg_response_ms_24h: number | null;
  open_incident: Incident | null;
};
