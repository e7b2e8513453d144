// Slack through an incoming webhook: the contact's address is the webhook URL Slack gives
// (https://hooks.slack.com/services/T…/B…/…); any endpoint that takes Slack's payload (Mattermost,
// Rocket.Chat) works too. renderSlack is pure: `text` is the headline (what notifications and
// clients without blocks show), the blocks lay out the same facts as the email. Monitor names
// and causes are the user's text, escaped so that "<!channel>" in a name pings no one.
//
// Example:
//   const slack = slackChannel({ allowPrivate: false });
//   await slack.send(delivery, message, { signal });

import type { AlertMessage, Channel } from './channel.ts';
import { alertFacts } from './facts.ts';
import { type ChatChannelOptions, jsonWebhookChannel } from './http-post.ts';
import { headline } from './text.ts';

/** Slack's three control characters; anything else is shown as typed. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack's limits on a header block and on a section's text. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const EMOJI = { down: ':red_circle:', up: ':large_green_circle:', reminder: ':warning:', cert: ':lock:' } as const;

export function renderSlack(message: AlertMessage) {
  const title = headline(message);
  return {
    text: `${EMOJI[message.kind]} ${slackEscape(title)}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: cut(title, HEADER_MAX), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: cut(alertFacts(message).map(([k, v]) => `*${k}:* ${slackEscape(v)}`).join('\n'), SECTION_MAX) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `<${message.link}|Open ${slackEscape(message.monitor.name)} in downtime-monitor>` }] },
    ],
  };
}

export const slackChannel = (opts: ChatChannelOptions): Channel => jsonWebhookChannel('slack', 'Slack', renderSlack, opts);
