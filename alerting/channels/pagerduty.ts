// PagerDuty through the Events API v2: the contact's address is the integration's routing key
// (32 characters, from a service's "Events API V2" integration). DOWN triggers an alert, UP
// resolves it, and `dedup_key` is the incident id, so the two meet on one PagerDuty alert however
// many contacts or retries there are.
//
// Reminders re-trigger with the same dedup_key: while the PagerDuty alert is open, PagerDuty only
// adds the trigger to its log (no new page); if someone resolved it in PagerDuty while the monitor
// is still down, the reminder opens it again, which is what a reminder is for.
//
// The endpoint is https://events.pagerduty.com/v2/enqueue, or PAGERDUTY_API_URL + /v2/enqueue
// (an EU account's events.eu.pagerduty.com, a proxy, a local server in tests). It comes from the
// operator, not a user, so it is not address-guarded. The routing key is a secret: it is sent in
// the body only and never appears in an error message.
//
// Example:
//   const pd = pagerdutyChannel({});
//   await pd.send(delivery, message, { signal });

import type { Delivery } from '../../store/types.ts';
import type { AlertMessage, CertMessage, Channel } from './channel.ts';
import { createHttpPoster } from './http-post.ts';
import { certDaysLeft, certHost, describeCause, describeCauses, headline } from './text.ts';

export const PAGERDUTY_API_URL = 'https://events.pagerduty.com';
/** PagerDuty's limit on payload.summary. */
const SUMMARY_MAX = 1024;
export const ROUTING_KEY = /^[A-Za-z0-9]{32}$/;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * A certificate about to expire is a `warning` trigger of its own alert, keyed by monitor and
 * certificate: a later threshold of the same certificate adds to that alert instead of opening
 * another. Nothing resolves it (a renewed certificate is told by no message); the responder
 * resolves it in PagerDuty once the certificate is renewed.
 */
export function renderPagerDutyCert(delivery: Pick<Delivery, 'address'>, message: CertMessage) {
  const { monitor, cert } = message;
  const summary = headline(message);
  return {
    routing_key: delivery.address,
    dedup_key: `cert:${monitor.id}:${cert.sha256}`,
    event_action: 'trigger' as const,
    client: 'downtime-monitor',
    client_url: message.link,
    links: [{ href: message.link, text: `${monitor.name} in downtime-monitor` }],
    payload: {
      summary: summary.length > SUMMARY_MAX ? `${summary.slice(0, SUMMARY_MAX - 1)}…` : summary,
      source: monitor.url,
      severity: 'warning' as const,
      timestamp: iso(message.now),
      component: monitor.name,
      class: 'certificate-expiry',
      custom_details: {
        monitor_id: monitor.id,
        host: certHost(monitor.url),
        not_after: iso(cert.not_after),
        days_left: certDaysLeft(message),
        issuer: cert.issuer,
        sha256: cert.sha256,
        threshold_days: cert.threshold_days,
      },
    },
  };
}

export function renderPagerDuty(delivery: Pick<Delivery, 'address'>, message: AlertMessage) {
  if (message.kind === 'cert') return renderPagerDutyCert(delivery, message);
  const { monitor, incident, check } = message;
  const common = { routing_key: delivery.address, dedup_key: incident.id };
  if (message.kind === 'up') return { ...common, event_action: 'resolve' as const };
  const summary = headline(message);
  return {
    ...common,
    event_action: 'trigger' as const,
    client: 'downtime-monitor',
    client_url: message.link,
    links: [{ href: message.link, text: `${monitor.name} in downtime-monitor` }],
    payload: {
      summary: summary.length > SUMMARY_MAX ? `${summary.slice(0, SUMMARY_MAX - 1)}…` : summary,
      source: monitor.url,
      severity: 'critical' as const,
      timestamp: iso(message.kind === 'down' ? (check?.timestamp ?? incident.started_at) : message.now),
      component: monitor.name,
      class: incident.cause_type ?? 'unknown',
      custom_details: {
        monitor_id: monitor.id,
        incident_id: incident.id,
        down_since: iso(incident.started_at),
        cause: message.kind === 'down' ? describeCause(incident) : describeCauses(message),
        ...(check ? { observer: check.observer, status_code: check.status_code, error: check.error_message } : {}),
      },
    },
  };
}

export type PagerDutyOptions = { apiUrl?: string; timeoutMs?: number; clock?: () => number };

export function pagerdutyChannel(opts: PagerDutyOptions): Channel {
  const endpoint = `${(opts.apiUrl ?? PAGERDUTY_API_URL).replace(/\/+$/, '')}/v2/enqueue`;
  const http = createHttpPoster({ provider: 'PagerDuty', allowPrivate: null, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
  return {
    type: 'pagerduty',
    async send(delivery, message, ctx) {
      await http.postJson(endpoint, renderPagerDuty(delivery, message), {}, ctx.signal);
    },
    close: () => http.close(),
  } satisfies Channel;
}
