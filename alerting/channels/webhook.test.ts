import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCertMessage, sampleDelivery, sampleMessage, T0 } from '../testing/fixtures.ts';
import { startWebhookSink, type WebhookSink } from '../testing/webhook-sink.ts';
import { PermanentError, TransientError } from './channel.ts';
import { renderWebhookPayload, signWebhook, verifyWebhookSignature, webhookChannel, webhookSigningSecret } from './webhook.ts';

const signal = new AbortController().signal;
const KEY = 'k'.repeat(48);

describe('renderWebhookPayload', () => {
  it('carries event, monitor, incident and the confirming check with ISO times', () => {
    const payload = renderWebhookPayload({ id: 'dlv_9' }, sampleMessage('up'));
    expect(payload).toMatchObject({
      event: 'up',
      delivery_id: 'dlv_9',
      summary: '[UP] Shop (https://shop.example/health) is back after 12 min',
      monitor: { id: 'mon_1', name: 'Shop', url: 'https://shop.example/health', link: 'https://uptime.example/monitors/mon_1' },
      incident: {
        id: 'inc_1',
        started_at: '2025-03-01T14:03:07.000Z',
        resolved_at: '2025-03-01T14:15:07.000Z',
        duration_seconds: 720,
        cause: { type: 'status', status_code: 503, text: 'HTTP 503' },
        causes: [{ type: 'status', status_code: 503, text: 'HTTP 503' }],
      },
      check: { id: 'chk_2', status: 'up', status_code: 200, observer: 'paris', duration_ms: 120 },
    });
  });
});

describe('signatures', () => {
  it('derives a different secret per contact, stable for one contact', () => {
    expect(webhookSigningSecret(KEY, 'con_1')).toBe(webhookSigningSecret(KEY, 'con_1'));
    expect(webhookSigningSecret(KEY, 'con_1')).not.toBe(webhookSigningSecret(KEY, 'con_2'));
    expect(webhookSigningSecret(KEY, 'con_1')).not.toBe(webhookSigningSecret('other'.repeat(10), 'con_1'));
  });

  it.each([
    { case: 'the right secret and body', secret: 's1', body: '{"a":1}', at: T0, ok: true },
    { case: 'a tampered body', secret: 's1', body: '{"a":2}', at: T0, ok: false },
    { case: 'another secret', secret: 's2', body: '{"a":1}', at: T0, ok: false },
    { case: 'a replay ten minutes later', secret: 's1', body: '{"a":1}', at: T0 + 600_000, ok: false },
  ])('verification with $case → $ok', ({ secret, body, at, ok }) => {
    const header = signWebhook('s1', '{"a":1}', Math.floor(T0 / 1000));
    expect(verifyWebhookSignature(secret, header, body, at)).toBe(ok);
  });
});

describe('webhookChannel against a local server', () => {
  let sink: WebhookSink;
  beforeAll(async () => {
    sink = await startWebhookSink();
  });
  afterAll(async () => {
    await sink.close();
  });
  const channel = (overrides: { allowPrivate?: boolean; timeoutMs?: number } = {}) =>
    webhookChannel({ signingKey: KEY, allowPrivate: overrides.allowPrivate ?? true, timeoutMs: overrides.timeoutMs ?? 2000 });
  const hookDelivery = (overrides = {}) => sampleDelivery({ channel: 'webhook', address: `${sink.url}/hooks/uptime`, contact_id: 'con_7', ...overrides });

  it('POSTs the JSON with an HMAC the receiver can verify with the contact’s secret, and the idempotency key', async () => {
    const c = channel();
    await c.send(hookDelivery({ id: 'dlv_hook' }), sampleMessage('down'), { signal });
    await c.close();
    const hook = sink.hooks.at(-1);
    expect(hook?.path).toBe('/hooks/uptime');
    expect(hook?.headers['content-type']).toBe('application/json');
    expect(hook?.headers['idempotency-key']).toBe('dlv_hook');
    const signature = String(hook?.headers['x-uptime-signature']);
    expect(verifyWebhookSignature(webhookSigningSecret(KEY, 'con_7'), signature, hook?.body ?? '', Date.now())).toBe(true);
    expect(verifyWebhookSignature(webhookSigningSecret(KEY, 'con_8'), signature, hook?.body ?? '', Date.now())).toBe(false);
    expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({ event: 'down', monitor: { id: 'mon_1' }, incident: { id: 'inc_1' } });
  });

  it.each([
    { status: 400, error: PermanentError },
    { status: 404, error: PermanentError },
    { status: 410, error: PermanentError },
    { status: 301, error: PermanentError },
    { status: 408, error: TransientError },
    { status: 429, error: TransientError },
    { status: 500, error: TransientError },
    { status: 503, error: TransientError },
  ])('HTTP $status → $error.name', async ({ status, error }) => {
    sink.respond.push(status);
    const c = channel();
    await expect(c.send(hookDelivery(), sampleMessage('down'), { signal })).rejects.toBeInstanceOf(error);
    await c.close();
  });

  it('a receiver slower than the timeout is transient', async () => {
    sink.delayMs = 1000;
    const c = channel({ timeoutMs: 200 });
    const started = Date.now();
    try {
      await expect(c.send(hookDelivery(), sampleMessage('down'), { signal })).rejects.toBeInstanceOf(TransientError);
      expect(Date.now() - started).toBeLessThan(900);
    } finally {
      sink.delayMs = 0;
      await c.close();
    }
  });

  it('refuses a loopback address when private targets are not allowed (literal and by name)', async () => {
    const c = channel({ allowPrivate: false });
    const before = sink.hooks.length;
    await expect(c.send(hookDelivery(), sampleMessage('down'), { signal })).rejects.toBeInstanceOf(PermanentError);
    const byName = hookDelivery({ address: sink.url.replace('127.0.0.1', 'localhost') });
    await expect(c.send(byName, sampleMessage('down'), { signal })).rejects.toThrow(/refused.*loopback/);
    expect(sink.hooks.length).toBe(before);
    await c.close();
  });
});

describe('renderWebhookPayload for a certificate', () => {
  it('sends event cert with the certificate, and no incident or check', () => {
    const message = sampleCertMessage();
    expect(renderWebhookPayload({ id: 'dlv_cert' }, message)).toEqual({
      event: 'cert',
      delivery_id: 'dlv_cert',
      summary: "[CERT] Shop: certificate for shop.example expires in 12 days (2025-03-13), issued by Let's Encrypt R11",
      monitor: { id: 'mon_1', name: 'Shop', url: 'https://shop.example/health', link: 'https://uptime.example/monitors/mon_1' },
      incident: null,
      check: null,
      certificate: {
        host: 'shop.example',
        not_after: new Date(message.cert.not_after).toISOString(),
        days_left: 12,
        issuer: "Let's Encrypt R11",
        sha256: '5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef',
        threshold_days: 14,
      },
    });
  });
});
