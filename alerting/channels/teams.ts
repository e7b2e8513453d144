// Microsoft Teams through a workflow webhook (Power Automate's "Post to a channel when a webhook
// request is received"; the Office 365 connectors it replaces are retired): the contact's address
// is the workflow's URL. renderTeams is pure: a message with one Adaptive Card (1.4) holding the
// headline in the kind's colour, the email's facts as a FactSet, and a button to the monitor page.
// The workflow answers 202 and posts the card a moment later.
//
// Example:
//   const teams = teamsChannel({ allowPrivate: false });
//   await teams.send(delivery, message, { signal });

import type { AlertMessage, Channel } from './channel.ts';
import { alertFacts } from './facts.ts';
import { type ChatChannelOptions, jsonWebhookChannel } from './http-post.ts';
import { headline } from './text.ts';

/** Adaptive Cards name colours, not RGB. */
const KIND_STYLE = { down: 'Attention', reminder: 'Warning', up: 'Good', cert: 'Warning' } as const;

export function renderTeams(message: AlertMessage) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body: [
            { type: 'TextBlock', text: headline(message), weight: 'Bolder', size: 'Medium', color: KIND_STYLE[message.kind], wrap: true },
            { type: 'FactSet', facts: alertFacts(message).map(([title, value]) => ({ title, value })) },
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'Open monitor', url: message.link }],
        },
      },
    ],
  };
}

export const teamsChannel = (opts: ChatChannelOptions): Channel => jsonWebhookChannel('teams', 'Teams', renderTeams, opts);
