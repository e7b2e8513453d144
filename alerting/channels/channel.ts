// The one small interface every notification channel implements, and the two errors a channel
// may throw. The dispatcher decides retries from the error's class alone: a channel never retries
// by itself and never reports failure by returning a value.

import type { Check, ContactType, Delivery, DeliveryCert, Incident, Monitor } from '../../store/types.ts';

/** Why a check failed, in an incident's terms. */
export type Cause = Pick<Incident, 'cause_type' | 'cause_message' | 'cause_status_code'>;

/** Everything a message is rendered from; rendering is a pure function of this. */
export type AlertMessage = IncidentMessage | CertMessage;

/** DOWN, UP and reminders: about one incident. */
export type IncidentMessage = {
  kind: 'down' | 'up' | 'reminder';
  monitor: Pick<Monitor, 'id' | 'name' | 'url' | 'timezone'>;
  /** For `up`, already resolved. */
  incident: Incident;
  /**
   * Up and reminder: the distinct causes seen during the outage, in the order they first
   * appeared (alerting/outage-causes.ts). Absent or empty: the incident's own (first) cause.
   */
  causes?: Cause[];
  /** The check that confirmed the transition, when still retained (reminders: none). */
  check: Check | null;
  /** Render time: a reminder says how long the monitor has been down until now. */
  now: number;
  /** Where the reader can see the monitor (PUBLIC_URL + /monitors/<id>). */
  link: string;
};

/** A certificate about to expire (alerting/cert-expiry.ts): about no incident. */
export type CertMessage = {
  kind: 'cert';
  monitor: Pick<Monitor, 'id' | 'name' | 'url' | 'timezone'>;
  cert: DeliveryCert;
  /** Render time: "expires in N days" counts from it. */
  now: number;
  link: string;
};

export type SendContext = {
  /** Aborted when the dispatcher stops; channels also apply their own timeouts. */
  signal: AbortSignal;
};

export type Channel = {
  readonly type: ContactType;
  /**
   * Hands one message to the provider. Resolves once the provider accepted it. Throws
   * PermanentError when retrying cannot help, TransientError (or anything else) when it can.
   */
  send(delivery: Delivery, message: AlertMessage, ctx: SendContext): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
};

/** The address or the request is refused for good (bad number, rejected mailbox, webhook 4xx). */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/**
 * Worth another try later (timeouts, 5xx, rate limits, the server being down). A provider that
 * says when to come back (429 with Retry-After) sets `retryAfterMs`: the dispatcher waits at
 * least that long instead of its own, possibly shorter, backoff.
 */
export class TransientError extends Error {
  override name = 'TransientError';
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { retryAfterMs?: number | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
}
