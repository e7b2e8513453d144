// Contact shapes. The address is checked against its type: an email address, an E.164 phone
// number for SMS, an http(s) URL for webhooks; and, whatever the type, for characters that do not
// show (a line break would add a mail header; a URL parser drops it silently).

import { z } from '@hono/zod-openapi';
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
    case 'webhook': {
      let url: URL;
      try {
        url = new URL(address);
      } catch {
        return 'must be an absolute http(s) URL for type webhook';
      }
      return url.protocol === 'http:' || url.protocol === 'https:' ? null : 'must use http or https for type webhook';
    }
  }
}

export const ContactCreate = z
  .object({
    type: z.enum(CONTACT_TYPES, { message: `must be one of ${CONTACT_TYPES.join(', ')}` }),
    address: z
      .string({ message: 'must be a string' })
      .trim()
      .min(1, 'is required')
      .max(2048, 'must be at most 2048 characters')
      .openapi({ example: 'ops@example.com' }),
  })
  .strict()
  .superRefine((contact, ctx) => {
    const problem = addressProblem(contact.type, contact.address);
    if (problem) ctx.addIssue({ code: 'custom', path: ['address'], message: problem });
  })
  .openapi('ContactCreate');

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
