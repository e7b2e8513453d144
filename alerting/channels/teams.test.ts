import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCertMessage, sampleDelivery, sampleMessage } from '../testing/fixtures.ts';
import { describeProviderErrors } from '../testing/provider-error-suite.ts';
import { startProviderFake, type ProviderFake } from '../testing/provider-fakes.ts';
import { renderTeams, teamsChannel } from './teams.ts';

const signal = new AbortController().signal;

describe('renderTeams', () => {
  it.each([
    { kind: 'down' as const, title: '[DOWN] Shop (https://shop.example/health)', color: 'Attention', first: { title: 'Status', value: 'DOWN' } },
    { kind: 'up' as const, title: '[UP] Shop (https://shop.example/health) is back after 12 min', color: 'Good', first: { title: 'Status', value: 'UP again after 12 min of downtime' } },
    { kind: 'reminder' as const, title: '[STILL DOWN] Shop (https://shop.example/health) for 1 h 35 min', color: 'Warning', first: { title: 'Status', value: 'still DOWN, for 1 h 35 min' } },
  ])('$kind: an Adaptive Card with the headline in $color, the facts and a link', ({ kind, title, color, first }) => {
    const payload = renderTeams(sampleMessage(kind));
    expect(payload.type).toBe('message');
    const card = payload.attachments[0]?.content;
    expect(payload.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card?.body[0]).toMatchObject({ type: 'TextBlock', text: title, color });
    expect(card?.body[1]).toMatchObject({ type: 'FactSet', facts: expect.arrayContaining([first, { title: 'URL', value: 'https://shop.example/health' }]) });
    expect(card?.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open monitor', url: 'https://uptime.example/monitors/mon_1' }]);
  });
});

describe('teamsChannel against a local workflow endpoint', () => {
  let teams: ProviderFake;
  beforeAll(async () => {
    teams = await startProviderFake('teams');
  });
  afterAll(async () => {
    await teams.close();
  });

  it('posts the card to the workflow URL, query string and all, which accepts it (202)', async () => {
    const channel = teamsChannel({ allowPrivate: true });
    const address = `${teams.url}/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=xyz`;
    await channel.send(sampleDelivery({ channel: 'teams', address }), sampleMessage('down'), { signal });
    await channel.close();
    expect(teams.received.at(-1)?.path).toBe('/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=xyz');
    expect(teams.received.at(-1)?.json.attachments[0].content.type).toBe('AdaptiveCard');
  });
});

describeProviderErrors('teams', {
  channel: (o) => teamsChannel({ allowPrivate: true, ...o }),
  delivery: (url) => sampleDelivery({ channel: 'teams', address: `${url}/workflows/abc/triggers/manual/paths/invoke?sig=xyz` }),
});

describe('renderTeams for a certificate', () => {
  it('shows the [CERT] line as a warning with the certificate facts', () => {
    const card = renderTeams(sampleCertMessage()).attachments[0]!.content;
    expect(card.body[0]).toMatchObject({ text: "[CERT] Shop: certificate for shop.example expires in 12 days (2025-03-13), issued by Let's Encrypt R11", color: 'Warning' });
    expect(JSON.stringify(card.body[1])).toContain('5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef');
  });
});
