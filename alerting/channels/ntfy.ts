// ntfy (ntfy.sh or a self-hosted server): the contact's address is the topic URL,
// https://ntfy.sh/<topic>. A protected topic takes an access token as the URL's password,
// https://:tk_…@ntfy.example.com/<topic> (sent as `Authorization: Bearer`), or a user and password,
// https://user:pass@ntfy.example.com/<topic> (Basic); the credentials are taken out of the URL
// before it is dialled and never appear in an error message.
//
// renderNtfy is pure: ntfy's JSON publishing (POST to the server's root with the topic in the
// body), so that titles and messages in any language need no header encoding. Priority: DOWN and
// reminders high (4), UP default (3); tags become emoji; a click opens the monitor page.
//
// Example:
//   const ntfy = ntfyChannel({ allowPrivate: false });
//   await ntfy.send(delivery, message, { signal });

import { PermanentError, type AlertMessage, type Channel } from './channel.ts';
import { type ChatChannelOptions, createHttpPoster } from './http-post.ts';
import { certSentence, describeCause, describeCauses, downtime, formatDuration, formatTime } from './text.ts';

/** ntfy's own rule for topic names. */
export const NTFY_TOPIC = /^[-_A-Za-z0-9]{1,64}$/;

export type NtfyTarget = { publishUrl: string; topic: string; authorization: string | null };

/** Splits a topic URL into where to publish, the topic, and the credentials; null when not a topic URL. */
export function parseNtfyAddress(address: string): NtfyTarget | null {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const segments = url.pathname.split('/');
  const topic = segments.pop() ?? '';
  if (!NTFY_TOPIC.test(topic)) return null;
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const authorization = !user && pass ? `Bearer ${pass}` : user ? `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` : null;
  // A server under a path prefix (https://example.com/ntfy/<topic>) publishes at that prefix.
  const base = new URL(`${url.protocol}//${url.host}${segments.join('/')}/`);
  return { publishUrl: base.href, topic, authorization };
}

const TAGS = { down: ['rotating_light'], reminder: ['warning'], up: ['white_check_mark'], cert: ['lock'] } as const;
// A certificate about to expire is news, not an outage: default priority.
const PRIORITY = { down: 4, reminder: 4, up: 3, cert: 3 } as const;

export function renderNtfy(topic: string, message: AlertMessage) {
  if (message.kind === 'cert') {
    const { monitor, cert } = message;
    const lines = [`${capitalised(certSentence(message))}.`, ...(cert.issuer === null ? [] : [`Issued by ${cert.issuer}.`])];
    return { topic, title: `CERT: ${monitor.name}`, message: lines.join('\n'), priority: PRIORITY.cert, tags: [...TAGS.cert], click: message.link };
  }
  const { monitor, incident, kind } = message;
  const tz = monitor.timezone;
  const title = kind === 'down' ? `DOWN: ${monitor.name}` : kind === 'up' ? `UP: ${monitor.name}` : `STILL DOWN: ${monitor.name}`;
  const lines =
    kind === 'down'
      ? [`${monitor.url} is down: ${describeCause(incident)}.`, `Since ${formatTime(incident.started_at, tz)}.`]
      : kind === 'up'
        ? [`${monitor.url} is back after ${formatDuration(downtime(message))}.`, `Cause: ${describeCauses(message)}.`]
        : [`${monitor.url} has been down for ${formatDuration(downtime(message))}: ${describeCauses(message)}.`, `Since ${formatTime(incident.started_at, tz)}.`];
  return { topic, title, message: lines.join('\n'), priority: PRIORITY[kind], tags: [...TAGS[kind]], click: message.link };
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function ntfyChannel(opts: ChatChannelOptions): Channel {
  const http = createHttpPoster({ provider: 'ntfy', ...opts });
  return {
    type: 'ntfy',
    async send(delivery, message, ctx) {
      const target = parseNtfyAddress(delivery.address);
      if (!target) throw new PermanentError('ntfy address is not a topic URL (https://ntfy.sh/<topic>)');
      const headers: Record<string, string> = target.authorization ? { authorization: target.authorization } : {};
      await http.postJson(target.publishUrl, renderNtfy(target.topic, message), headers, ctx.signal);
    },
    close: () => http.close(),
  } satisfies Channel;
}
