// Discord through a channel webhook: the contact's address is the webhook URL Discord gives
// (https://discord.com/api/webhooks/<id>/<token>). renderDiscord is pure: one embed with the
// headline as title (linked to the monitor page), the kind's colour, and the email's facts as
// fields; `allowed_mentions` is empty so that "@everyone" in a monitor name pings no one. Discord
// answers 204; its 429 carries Retry-After in seconds, possibly fractional.
//
// Example:
//   const discord = discordChannel({ allowPrivate: false });
//   await discord.send(delivery, message, { signal });

import type { AlertMessage, Channel } from './channel.ts';
import { alertFacts, KIND_COLOR } from './facts.ts';
import { type ChatChannelOptions, jsonWebhookChannel } from './http-post.ts';
import { headline } from './text.ts';

/** Discord's own limits on an embed's title and a field's name and value. */
const TITLE_MAX = 256;
const FIELD_NAME_MAX = 256;
const FIELD_VALUE_MAX = 1024;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function renderDiscord(message: AlertMessage) {
  const at = message.kind === 'cert' ? message.now : message.kind === 'up' ? (message.incident.resolved_at ?? message.now) : message.kind === 'down' ? (message.check?.timestamp ?? message.incident.started_at) : message.now;
  return {
    content: '',
    allowed_mentions: { parse: [] as string[] },
    embeds: [
      {
        title: cut(headline(message), TITLE_MAX),
        url: message.link,
        color: KIND_COLOR[message.kind],
        fields: alertFacts(message).map(([name, value]) => ({ name: cut(name, FIELD_NAME_MAX), value: cut(value, FIELD_VALUE_MAX), inline: false })),
        timestamp: new Date(at).toISOString(),
      },
    ],
  };
}

export const discordChannel = (opts: ChatChannelOptions): Channel => jsonWebhookChannel('discord', 'Discord', renderDiscord, opts);
