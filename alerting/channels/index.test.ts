import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { configuredChannels, createChannels } from './index.ts';

/** Channels whose contacts carry their own credentials: always on. */
const ALWAYS = ['discord', 'ntfy', 'pagerduty', 'slack', 'teams', 'webhook'];

describe('configuredChannels', () => {
  it.each([
    { env: {}, types: [] },
    { env: { SMTP_URL: 'smtp://mail:25', MAIL_FROM: 'up@example.com' }, types: ['email'] },
    { env: { TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+1555' }, types: ['sms'] },
    {
      env: { SMTP_URL: 'smtps://mail:465', MAIL_FROM: 'up@example.com', TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+1555' },
      types: ['email', 'sms'],
    },
  ])('$types and the always-on ones from $env', ({ env, types }) => {
    expect([...configuredChannels(loadConfig(env))].sort()).toEqual([...types, ...ALWAYS].sort());
  });

  it('builds exactly the configured channels', async () => {
    const channels = createChannels(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:9', MAIL_FROM: 'up@example.com' }), { signingKey: 'k'.repeat(32) });
    expect([...channels.keys()].sort()).toEqual(['email', ...ALWAYS].sort());
    for (const channel of channels.values()) await channel.close();
  });
});
