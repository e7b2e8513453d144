// Contact shapes. The address is checked against its type: an email address, an E.164 phone
// number for SMS, an http(s) URL for webhooks and the Slack, Discord and Teams webhooks, an ntfy
// topic URL, a PagerDuty routing key; and, whatever the type, for characters that do not show (a
// line break would add a mail header; a URL parser drops it silently).

import { z } from '@hono/zod-openapi';
import { parseNtfyAddress } from '../../alerting/channels/ntfy.ts';
import { ROUTING_KEY } from '../../alerting/channels/pagerduty.ts';
import { CONTACT_TYPES, type Contact, type ContactType } from '../../store/types.ts';
import { IsoTime, iso } from '../common.ts';
import { hiddenCharacterProblem } from '../monitors/fields.ts';

const E164 = /^\+[1-9]\d{6,14}$/;
const emailAddress = z.email();

function addressProblem(type: ContactType, address: string): string | null {
  const hidden = hiddenCharacterProblem(address);
  if (hidden) return hidden;
  switch (type) {
    case 'email':
      return emailAddress.safeParse(address).success ? null : 'must be an email address for type email';
    case 'sms':
      return E164.test(address) ? null : 'must be a phone number in E.164 form for type sms, e.g. +14155550123';
    case 'webhook':
    case 'slack':
    case 'discord':
    case 'teams':
      return httpUrlProblem(type, address);
    case 'ntfy':
      return parseNtfyAddress(address) ? null : 'must be an ntfy topic URL for type ntfy, e.g. https://ntfy.sh/my-alerts (topic: up to 64 letters, digits, - or _)';
    case 'pagerduty':
      return ROUTING_KEY.test(address) ? null : 'must be a PagerDuty Events API v2 routing key (32 letters and digits) for type pagerduty';
  }
}

function httpUrlProblem(type: ContactType, address: string): string | null {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return `must be an absolute http(s) URL for type ${type}`;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? null : `must use http or https for type ${type}`;
}

/** Types whose address is a URL the server calls: the same policy as monitor targets. */
export const URL_CONTACT_TYPES: ReadonlySet<ContactType> = new Set(['webhook', 'slack', 'discord', 'teams', 'ntfy']);

export const ContactCreate = z
  .object({
    type: z.enum(CONTACT_TYPES, { message: `must be one of ${CONTACT_TYPES.join(', ')}` }),
    address: z
      .string({ message: 'must be a string' })
      .trim()
      .min(1, 'is required')
      .max(2048, 'must be at most 2048 characters')
      .openapi({
        description:
          'email: an email address; sms: an E.164 number; webhook, slack, discord, teams: the webhook URL; ntfy: the topic URL (a token as its password: https://:tk_…@host/topic); pagerduty: the Events API v2 routing key',
        example: 'ops@example.com',
      }),
  })
  .strict()
  .superRefine((contact, ctx) => {
    const problem = addressProblem(contact.type, contact.address);
    if (problem) ctx.addIssue({ code: 'custom', path: ['address'], message: problem });
  })
  .openapi('ContactCreate', {
    examples: [
      { type: 'email', address: 'ops@example.com' },
      { type: 'slack', address: 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX' },
      { type: 'discord', address: 'https://discord.com/api/webhooks/123456789012345678/abcdef' },
      { type: 'teams', address: 'https://prod-00.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=xyz' },
      { type: 'pagerduty', address: 'R0123456789ABCDEF0123456789ABCDE' },
      { type: 'ntfy', address: 'https://ntfy.sh/acme-uptime-alerts' },
    ],
  });

export const ContactSchema = z
  .object({
    id: z.string(),
    monitor_id: z.string(),
    type: z.enum(CONTACT_TYPES),
    address: z.string(),
    /** Webhook contacts only: the key of their X-Uptime-Signature header. */
    signing_secret: z
      .string()
      .optional()
      .openapi({ description: 'Webhook contacts only: HMAC-SHA256 key of the X-Uptime-Signature header' }),
    created_at: IsoTime,
  })
  .openapi('Contact');

export const ContactListSchema = z.object({ items: z.array(ContactSchema) }).openapi('ContactList');

/** `signingSecret` derives a webhook contact's secret (alerting/channels/webhook.ts). */
export function contactJson(contact: Contact, signingSecret: (contactId: string) => string): z.infer<typeof ContactSchema> {
  return {
    id: contact.id,
    monitor_id: contact.monitor_id,
    type: contact.type,
    address: contact.address,
    ...(contact.type === 'webhook' ? { signing_secret: signingSecret(contact.id) } : {}),
    created_at: iso(contact.created_at),
  };
}
