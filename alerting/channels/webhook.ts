// Webhooks: POST a JSON document {event, monitor, incident, check} to the contact's URL.
//
// Signing: each webhook contact has its own secret, derived rather than stored:
//   secret = "whsec_" + base64url(HMAC-SHA256(server signing key, "webhook:" + contact id))
// The server key is the JWT secret (the one secret every instance already shares), so nothing new
// needs storing or distributing, one contact's secret reveals nothing about another's, and the API
// can show an owner the secret of their own contact (webhookSigningSecret below). Each request
// carries `X-Uptime-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`
// (timestamped against replays; verifyWebhookSignature is the reference check) and
// `Idempotency-Key: <delivery id>`, so a receiver can drop the rare duplicate after a lost reply.
//
// The address guard runs on the address actually dialled, as for probes (no private targets
// unless ALLOW_PRIVATE_TARGETS). 2xx is success; 408, 429 (its Retry-After honoured), 5xx,
// timeouts and network errors are transient; any other answer (4xx, a redirect, which is not
// followed) is permanent.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { createAddressGuard } from '../../net/address-guard.ts';
import type { Delivery } from '../../store/types.ts';
import type { AlertMessage, CertMessage, Channel } from './channel.ts';
import { PermanentError, TransientError } from './channel.ts';
import { BlockedAddressError, guardedLookup, parseRetryAfter } from './http-post.ts';
import { certDaysLeft, certHost, describeCause, downtime, headline } from './text.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The JSON document a webhook receives. */
export function renderWebhookPayload(delivery: Pick<Delivery, 'id'>, message: AlertMessage) {
  if (message.kind === 'cert') return renderWebhookCert(delivery, message);
  const { monitor, incident, check } = message;
  return {
    event: message.kind,
    delivery_id: delivery.id,
    summary: headline(message),
    monitor: { id: monitor.id, name: monitor.name, url: monitor.url, link: message.link },
    incident: {
      id: incident.id,
      started_at: iso(incident.started_at),
      resolved_at: iso(incident.resolved_at),
      duration_seconds: Math.round(downtime(message) / 1000),
      cause: { type: incident.cause_type, message: incident.cause_message, status_code: incident.cause_status_code, text: describeCause(incident) },
      // Up and reminder: every distinct cause seen so far, first first (the first is `cause`).
      causes: (message.causes?.length ? message.causes : [incident]).map((c) => ({
        type: c.cause_type,
        message: c.cause_message,
        status_code: c.cause_status_code,
        text: describeCause(c),
      })),
    },
    check: check && {
      id: check.id,
      timestamp: iso(check.timestamp),
      observer: check.observer,
      status: check.status,
      status_code: check.status_code,
      error_type: check.error_type,
      error_message: check.error_message,
      duration_ms: Math.round(check.duration_us / 1000),
    },
  };
}

/** `event: "cert"`: no incident and no check; the certificate instead. */
function renderWebhookCert(delivery: Pick<Delivery, 'id'>, message: CertMessage) {
  const { monitor, cert } = message;
  return {
    event: message.kind,
    delivery_id: delivery.id,
    summary: headline(message),
    monitor: { id: monitor.id, name: monitor.name, url: monitor.url, link: message.link },
    incident: null,
    check: null,
    certificate: {
      host: certHost(monitor.url),
      not_after: iso(cert.not_after),
      days_left: certDaysLeft(message),
      issuer: cert.issuer,
      sha256: cert.sha256,
      threshold_days: cert.threshold_days,
    },
  };
}

export function webhookSigningSecret(serverKey: string, contactId: string): string {
  return `whsec_${createHmac('sha256', serverKey).update(`webhook:${contactId}`).digest('base64url')}`;
}

export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** What a receiver does: recompute, compare in constant time, refuse stale timestamps. */
export function verifyWebhookSignature(secret: string, header: string, body: string, nowMs: number, toleranceSeconds = 300): boolean {
  const fields = new Map(header.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const t = Number(fields.get('t'));
  const given = Buffer.from(fields.get('v1') ?? '', 'hex');
  if (!Number.isInteger(t) || Math.abs(nowMs / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, body, t).split('v1=')[1] ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type WebhookOptions = {
  /** Server signing key (the JWT secret); per-contact secrets are derived from it. */
  signingKey: string;
  allowPrivate: boolean;
  timeoutMs?: number;
  clock?: () => number;
};

export function webhookChannel(opts: WebhookOptions): Channel {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const clock = opts.clock ?? Date.now;
  const guard = createAddressGuard({ allowPrivate: opts.allowPrivate });
  const agent = new Agent({
    connect: { timeout: timeoutMs, lookup: guardedLookup(guard) },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connections: 16,
  });
  return {
    type: 'webhook',
    async send(delivery, message, ctx) {
      const url = new URL(delivery.address);
      const literal = url.hostname.replace(/^\[|\]$/g, '');
      const blocked = isIP(literal) ? guard(literal) : null;
      if (blocked) throw new PermanentError(`webhook address refused: ${blocked}`);
      const body = JSON.stringify(renderWebhookPayload(delivery, message));
      const secret = webhookSigningSecret(opts.signingKey, delivery.contact_id);
      let status: number;
      let retryAfter: string | string[] | undefined;
      try {
        const res = await request(url, {
          method: 'POST',
          dispatcher: agent,
          body,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'downtime-monitor-webhook/1',
            'idempotency-key': delivery.id,
            'x-uptime-event': message.kind,
            'x-uptime-signature': signWebhook(secret, body, Math.floor(clock() / 1000)),
          },
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
        });
        status = res.statusCode;
        retryAfter = res.headers['retry-after'];
        await res.body.dump({ limit: 64 * 1024 });
      } catch (error) {
        throw classifyWebhookFailure(error);
      }
      if (status >= 200 && status < 300) return;
      const what = `webhook answered HTTP ${status}`;
      if (status === 429) throw new TransientError(what, { retryAfterMs: parseRetryAfter(retryAfter, clock()) });
      if (status === 408 || status >= 500) throw new TransientError(what);
      throw new PermanentError(status >= 300 && status < 400 ? `${what} (redirects are not followed)` : what);
    },
    async close() {
      await agent.close();
    },
  } satisfies Channel;
}

function classifyWebhookFailure(error: unknown): Error {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof BlockedAddressError) return new PermanentError(`webhook address refused: ${cause.message}`);
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new TransientError(`webhook request failed: ${text}`);
}
