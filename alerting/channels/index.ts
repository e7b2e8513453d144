// The registry: the only list of channel types. Each entry says when the configuration enables it
// and how to build it; start-up builds the enabled ones, and the API refuses contacts of the others.
//
// Example:
//   configuredChannels(config)   // → Set { 'email', 'webhook', 'slack', 'discord', 'teams', 'pagerduty', 'ntfy' }
//   const channels = createChannels(config, { signingKey: jwtSecret });

import type { Config } from '../../config.ts';
import type { ContactType } from '../../store/types.ts';
import type { Channel } from './channel.ts';
import { discordChannel } from './discord.ts';
import { ntfyChannel } from './ntfy.ts';
import { pagerdutyChannel } from './pagerduty.ts';
import { slackChannel } from './slack.ts';
import { teamsChannel } from './teams.ts';
import { webhookChannel } from './webhook.ts';

export type ChannelConfig = Pick<
  Config,
  'SMTP_URL' | 'MAIL_FROM' | 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN' | 'TWILIO_FROM' | 'TWILIO_API_URL' | 'PAGERDUTY_API_URL' | 'PUBLIC_URL' | 'ALLOW_PRIVATE_TARGETS'
>;

export type ChannelDeps = {
  /** Server key the per-contact webhook secrets derive from (the JWT secret). */
  signingKey: string;
};

type ChannelEntry = {
  enabled(config: ChannelConfig): boolean;
  create(config: ChannelConfig, deps: ChannelDeps): Channel;
};

/**
 * A channel whose module (and library) loads when the channel is built, not when this registry
 * is: nodemailer and twilio are ~12 MB of heap that a process without SMTP_URL or TWILIO_* never
 * needs. Sends wait for the load.
 */
function loadedChannel(type: ContactType, load: () => Promise<Channel>): Channel {
  const channel = load();
  // A failed load fails each send (retried by the dispatcher); it must not crash the process.
  channel.catch(() => {});
  return {
    type,
    send: async (delivery, message, ctx) => (await channel).send(delivery, message, ctx),
    close: async () => (await channel.catch(() => null))?.close(),
  };
}

const REGISTRY = {
  email: {
    enabled: (c) => Boolean(c.SMTP_URL && c.MAIL_FROM),
    create: (c) =>
      loadedChannel('email', async () =>
        (await import('./email.ts')).emailChannel({
          smtpUrl: c.SMTP_URL ?? '',
          from: c.MAIL_FROM ?? '',
          messageIdDomain: new URL(c.PUBLIC_URL).hostname || 'localhost',
        }),
      ),
  },
  sms: {
    enabled: (c) => Boolean(c.TWILIO_ACCOUNT_SID && c.TWILIO_AUTH_TOKEN && c.TWILIO_FROM),
    create: (c) =>
      loadedChannel('sms', async () =>
        (await import('./sms.ts')).smsChannel({
          accountSid: c.TWILIO_ACCOUNT_SID ?? '',
          authToken: c.TWILIO_AUTH_TOKEN ?? '',
          from: c.TWILIO_FROM ?? '',
          ...(c.TWILIO_API_URL ? { apiUrl: c.TWILIO_API_URL } : {}),
        }),
      ),
  },
  webhook: {
    enabled: () => true,
    create: (c, deps) => webhookChannel({ signingKey: deps.signingKey, allowPrivate: c.ALLOW_PRIVATE_TARGETS }),
  },
  // The chat and paging channels need no server credentials: each contact's address carries them.
  slack: { enabled: () => true, create: (c) => slackChannel({ allowPrivate: c.ALLOW_PRIVATE_TARGETS }) },
  discord: { enabled: () => true, create: (c) => discordChannel({ allowPrivate: c.ALLOW_PRIVATE_TARGETS }) },
  teams: { enabled: () => true, create: (c) => teamsChannel({ allowPrivate: c.ALLOW_PRIVATE_TARGETS }) },
  pagerduty: { enabled: () => true, create: (c) => pagerdutyChannel(c.PAGERDUTY_API_URL ? { apiUrl: c.PAGERDUTY_API_URL } : {}) },
  ntfy: { enabled: () => true, create: (c) => ntfyChannel({ allowPrivate: c.ALLOW_PRIVATE_TARGETS }) },
} as const satisfies Record<ContactType, ChannelEntry>;

const TYPES = Object.keys(REGISTRY) as ContactType[];

/** Channel types this configuration can send through. */
export function configuredChannels(config: ChannelConfig): Set<ContactType> {
  return new Set(TYPES.filter((type) => REGISTRY[type].enabled(config)));
}

/** Builds the enabled channels; the caller closes them. */
export function createChannels(config: ChannelConfig, deps: ChannelDeps): Map<ContactType, Channel> {
  const channels = new Map<ContactType, Channel>();
  for (const type of configuredChannels(config)) channels.set(type, REGISTRY[type].create(config, deps));
  return channels;
}
