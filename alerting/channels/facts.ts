// What every rich channel (email, Slack, Discord, Teams) shows about one notification, as
// label/value pairs in display order, and the colour of its kind. Pure; each channel only lays
// these out in its provider's format, so that all of them tell the same story.

import type { NotificationKind } from '../../store/types.ts';
import type { AlertMessage, CertMessage } from './channel.ts';
import { certSentence, describeCause, describeCauses, downtime, formatDuration, formatTime } from './text.ts';

export type Fact = [label: string, value: string];

/** Status, cause(s), times and the monitored URL; the link to the monitor page is the caller's. */
export function alertFacts(message: AlertMessage): Fact[] {
  if (message.kind === 'cert') return certFacts(message);
  const { monitor, incident, check, kind } = message;
  const tz = monitor.timezone;
  const facts: Fact[] = [];
  const several = kind !== 'down' && (message.causes?.length ?? 0) > 1;
  if (kind === 'up') {
    facts.push(['Status', `UP again after ${formatDuration(downtime(message))} of downtime`]);
    facts.push(['Down since', formatTime(incident.started_at, tz)]);
    facts.push(['Back at', formatTime(incident.resolved_at ?? message.now, tz)]);
    facts.push([several ? 'Causes were' : 'Cause was', describeCauses(message)]);
  } else {
    const status = kind === 'down' ? 'DOWN' : `still DOWN, for ${formatDuration(downtime(message))}`;
    facts.push(['Status', status]);
    facts.push([several ? 'Causes' : 'Cause', kind === 'down' ? describeCause(incident) : describeCauses(message)]);
    facts.push(['Down since', formatTime(incident.started_at, tz)]);
    if (kind === 'down' && check) facts.push(['Confirmed', `${formatTime(check.timestamp, tz)} from ${check.observer}`]);
  }
  facts.push(['URL', monitor.url]);
  return facts;
}

/** Expiry, issuer and fingerprint of a certificate about to expire. */
function certFacts(message: CertMessage): Fact[] {
  const { cert, monitor } = message;
  const facts: Fact[] = [['Status', certSentence(message)]];
  facts.push(['Expires', formatTime(cert.not_after, monitor.timezone)]);
  if (cert.issuer !== null) facts.push(['Issuer', cert.issuer]);
  facts.push(['SHA-256', cert.sha256]);
  facts.push(['Threshold', `${cert.threshold_days} ${cert.threshold_days === 1 ? 'day' : 'days'} before expiry`]);
  facts.push(['URL', monitor.url]);
  return facts;
}

/** Red for down, amber for a reminder or a certificate about to expire, green for up (RGB). */
export const KIND_COLOR: Record<NotificationKind, number> = { down: 0xd93025, reminder: 0xf29900, up: 0x188038, cert: 0xf29900 };
