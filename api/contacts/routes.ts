// /api/monitors/{id}/contacts: who is told when a monitor goes down or comes back. A channel the
// server has no credentials for is refused at once, rather than accepted and never delivered.

import { createRoute } from '@hono/zod-openapi';
import { webhookSigningSecret } from '../../alerting/channels/webhook.ts';
import type { ContactType } from '../../store/types.ts';
import { bearerSecurity, callerId, ContactIdParams, jsonContent, MonitorIdParams } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { notFoundProblem, problemResponses, validationProblem } from '../problem.ts';
import { assertAllowedTarget } from '../target-policy.ts';
import { ContactCreate, ContactListSchema, ContactSchema, contactJson, URL_CONTACT_TYPES } from './schemas.ts';

const common = { tags: ['contacts'], security: bearerSecurity };

/**
 * Per monitor. Each transition enqueues one delivery per contact and each send re-reads the
 * monitor's contacts, so the number must be bounded; a team's rota fits well within it.
 */
export const MAX_CONTACTS_PER_MONITOR = 50;

/** What an operator sets to enable each channel, for the refusal message. */
const CHANNEL_SETTINGS: Record<ContactType, string> = {
  email: 'set SMTP_URL and MAIL_FROM',
  sms: 'set TWILIO_*',
  webhook: 'webhooks are disabled',
  slack: 'Slack is disabled',
  discord: 'Discord is disabled',
  teams: 'Teams is disabled',
  pagerduty: 'PagerDuty is disabled',
  ntfy: 'ntfy is disabled',
};

export function registerContactRoutes(app: ApiApp, deps: RouteDeps): void {
  const { store, config, channels } = deps;
  const serverKey = typeof config.jwtSecret === 'string' ? config.jwtSecret : Buffer.from(config.jwtSecret).toString('utf8');
  const secretFor = (contactId: string) => webhookSigningSecret(serverKey, contactId);

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/api/monitors/{id}/contacts',
      summary: 'Add a contact to notify',
      request: { params: MonitorIdParams, body: { ...jsonContent(ContactCreate), required: true } },
      responses: { 201: { description: 'Created', ...jsonContent(ContactSchema) }, ...problemResponses(400, 401, 404, 413) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      if (!channels.has(input.type)) {
        throw validationProblem([
          { path: 'type', message: `channel ${input.type} is not configured on this server (${CHANNEL_SETTINGS[input.type]})` },
        ]);
      }
      // A webhook makes the server call a URL on the user's behalf: same policy as monitor targets.
      if (URL_CONTACT_TYPES.has(input.type)) assertAllowedTarget(input.address, 'address', config.allowPrivateTargets);
      const owner = callerId(c);
      const { id } = c.req.valid('param');
      // Two adds racing may both pass; the bound still holds within the number of racing requests.
      if ((await store.listContacts(owner, id)).length >= MAX_CONTACTS_PER_MONITOR) {
        throw validationProblem([{ path: 'address', message: `a monitor has at most ${MAX_CONTACTS_PER_MONITOR} contacts: delete one first` }]);
      }
      const contact = await store.addContact(owner, id, input);
      if (!contact) throw notFoundProblem('monitor');
      return c.json(contactJson(contact, secretFor), 201);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/api/monitors/{id}/contacts',
      summary: "A monitor's contacts",
      request: { params: MonitorIdParams },
      responses: { 200: { description: 'Contacts', ...jsonContent(ContactListSchema) }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      const owner = callerId(c);
      const { id } = c.req.valid('param');
      // listContacts cannot tell "no contacts" from "no such monitor"; the monitor lookup can.
      if (!(await store.getMonitor(owner, id))) throw notFoundProblem('monitor');
      const contacts = await store.listContacts(owner, id);
      return c.json({ items: contacts.map((contact) => contactJson(contact, secretFor)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'delete',
      path: '/api/monitors/{id}/contacts/{contactId}',
      summary: 'Remove a contact',
      request: { params: ContactIdParams },
      responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      const { id, contactId } = c.req.valid('param');
      if (!(await store.deleteContact(callerId(c), id, contactId))) throw notFoundProblem('contact');
      return c.body(null, 204);
    },
  );
}
