// Test support: an HTTP server on 127.0.0.1 that speaks one chat or paging provider's API the way
// the provider documents it: it checks the payload and refuses a bad one with the provider's own
// 400, accepts a good one with the provider's success status and body, and can be scripted to
// answer the next requests otherwise (a 429 with Retry-After, a 500, a 403), or to stall.
//
// Example:
//   const slack = await startProviderFake('slack');
//   slack.rateLimit(2);                       // the next request gets 429, Retry-After: 2
//   slack.received                             // accepted requests, parsed

import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Provider = 'slack' | 'discord' | 'teams' | 'pagerduty' | 'ntfy';

export type Reply = { status: number; headers?: Record<string, string>; body?: string };
export type Received = { path: string; headers: IncomingHttpHeaders; json: any; at: number };

export type ProviderFake = {
  url: string;
  /** Requests accepted, in order. */
  received: Received[];
  /** Every request that reached the server, accepted or not. */
  requests: number;
  /** Replies for the next requests, in order, whatever they carry; then the provider's own. */
  respond: Reply[];
  /** Scripts a 429 with `Retry-After: <seconds>` and the provider's rate-limit body. */
  rateLimit(seconds: number | string): void;
  /** ntfy: when set, only `Authorization: Bearer <token>` is accepted (401 without, 403 wrong). */
  token: string | null;
  delayMs: number;
  close(): Promise<void>;
};

type Verdict = { ok: true; reply: Reply } | { ok: false; reply: Reply };

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const text = (status: number, body: string): Reply => ({ status, headers: { 'content-type': 'text/plain' }, body });

const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'];
const NTFY_TOPIC = /^[-_A-Za-z0-9]{1,64}$/;

/** What each provider answers to a request that got past scripted replies. */
const JUDGES: Record<Provider, (path: string, headers: IncomingHttpHeaders, body: any, fake: ProviderFake) => Verdict> = {
  // Slack incoming webhooks: 200 "ok"; 400 "invalid_payload" / "no_text".
  slack: (_path, _h, body) => {
    if (body === undefined) return { ok: false, reply: text(400, 'invalid_payload') };
    if (typeof body.text !== 'string' || body.text === '') return { ok: false, reply: text(400, 'no_text') };
    if (body.blocks !== undefined && !Array.isArray(body.blocks)) return { ok: false, reply: text(400, 'invalid_blocks') };
    return { ok: true, reply: text(200, 'ok') };
  },
  // Discord webhooks: 204 without ?wait=true; 400 {code: 50006} for an empty message.
  discord: (_path, _h, body) => {
    if (body === undefined) return { ok: false, reply: json(400, { message: 'The request body contains invalid JSON.', code: 50109 }) };
    const embeds = Array.isArray(body.embeds) ? body.embeds : [];
    if (!body.content && embeds.length === 0) return { ok: false, reply: json(400, { message: 'Cannot send an empty message', code: 50006 }) };
    if (embeds.length > 10 || embeds.some((e: any) => String(e.title ?? '').length > 256)) {
      return { ok: false, reply: json(400, { message: 'Invalid Form Body', code: 50035 }) };
    }
    return { ok: true, reply: { status: 204 } };
  },
  // Teams workflow ("Post to a channel when a webhook request is received"): 202, the card
  // being checked later by the flow; a body without an adaptive card attachment is a 400.
  teams: (_path, _h, body) => {
    const card = Array.isArray(body?.attachments) ? body.attachments[0] : undefined;
    if (body?.type !== 'message' || card?.contentType !== 'application/vnd.microsoft.card.adaptive' || card?.content?.type !== 'AdaptiveCard') {
      return { ok: false, reply: json(400, { error: { code: 'InvalidRequestContent', message: 'The input body for trigger manual of type Request did not match its schema definition.' } }) };
    }
    return { ok: true, reply: { status: 202 } };
  },
  // PagerDuty Events API v2: POST /v2/enqueue; 202 {status, message, dedup_key}; 400 with errors.
  pagerduty: (path, _h, body) => {
    if (path !== '/v2/enqueue') return { ok: false, reply: json(404, { status: 'not found' }) };
    const errors: string[] = [];
    if (typeof body?.routing_key !== 'string' || body.routing_key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
    if (!['trigger', 'acknowledge', 'resolve'].includes(body?.event_action)) errors.push("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
    if (body?.event_action !== 'trigger' && !body?.dedup_key) errors.push("'dedup_key' is missing or blank");
    if (body?.event_action === 'trigger') {
      const p = body.payload ?? {};
      if (!p.summary || String(p.summary).length > 1024) errors.push("'payload.summary' is missing, blank or too long");
      if (!p.source) errors.push("'payload.source' is missing or blank");
      if (!PD_SEVERITIES.includes(p.severity)) errors.push("'payload.severity' is invalid");
    }
    if (errors.length) return { ok: false, reply: json(400, { status: 'invalid event', message: 'Event object is invalid', errors }) };
    return { ok: true, reply: json(202, { status: 'success', message: 'Event processed', dedup_key: body.dedup_key ?? 'generated' }) };
  },
  // ntfy: JSON publishing, POST / with {topic, ...}; 200 with the message; 400/401/403 as ntfy.
  ntfy: (path, headers, body, fake) => {
    if (fake.token !== null) {
      const auth = headers.authorization;
      if (!auth) return { ok: false, reply: json(401, { code: 40101, http: 401, error: 'unauthorized' }) };
      if (auth !== `Bearer ${fake.token}`) return { ok: false, reply: json(403, { code: 40301, http: 403, error: 'forbidden' }) };
    }
    if (path !== '/' || typeof body?.topic !== 'string' || !NTFY_TOPIC.test(body.topic)) {
      return { ok: false, reply: json(400, { code: 40009, http: 400, error: 'invalid request: topic invalid' }) };
    }
    if (body.priority !== undefined && ![1, 2, 3, 4, 5].includes(body.priority)) {
      return { ok: false, reply: json(400, { code: 40007, http: 400, error: 'invalid priority' }) };
    }
    return { ok: true, reply: json(200, { id: 'fake1', time: Math.floor(Date.now() / 1000), event: 'message', topic: body.topic, message: body.message }) };
  },
};

const RATE_LIMITED: Record<Provider, (seconds: string) => Reply> = {
  slack: (s) => ({ ...text(429, 'rate_limited'), headers: { 'retry-after': s } }),
  discord: (s) => json(429, { message: 'You are being rate limited.', retry_after: Number(s), global: false }, { 'retry-after': s }),
  teams: (s) => json(429, { error: { code: 'WorkflowRequestsThrottled', message: 'Rate limit is exceeded.' } }, { 'retry-after': s }),
  pagerduty: (s) => json(429, { status: 'throttled', message: 'Requests for this service are arriving too quickly.' }, { 'retry-after': s }),
  ntfy: (s) => json(429, { code: 42901, http: 429, error: 'limit reached: too many requests' }, { 'retry-after': s }),
};

export async function startProviderFake(provider: Provider): Promise<ProviderFake> {
  const fake: ProviderFake = {
    url: '',
    received: [],
    requests: 0,
    respond: [],
    rateLimit: (seconds) => fake.respond.push(RATE_LIMITED[provider](String(seconds))),
    token: null,
    delayMs: 0,
    close: async () => {},
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    fake.requests++;
    if (fake.delayMs > 0) await new Promise((r) => setTimeout(r, fake.delayMs));
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let body: any;
    try {
      body = req.method === 'POST' && req.headers['content-type']?.startsWith('application/json') ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    } catch {
      body = undefined;
    }
    const scripted = fake.respond.shift();
    const verdict = scripted ? { ok: scripted.status >= 200 && scripted.status < 300, reply: scripted } : JUDGES[provider](path, req.headers, body, fake);
    if (verdict.ok) fake.received.push({ path: req.url ?? '/', headers: req.headers, json: body, at: Date.now() });
    res.writeHead(verdict.reply.status, verdict.reply.headers ?? {});
    res.end(verdict.reply.body ?? '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return fake;
}
