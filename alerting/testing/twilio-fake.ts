// Test support: a local HTTP server that speaks the part of Twilio's REST API we use —
// POST /2010-04-01/Accounts/{AccountSid}/Messages.json with form fields To, From, Body and HTTP
// basic auth — including its JSON errors: 401/20003 for bad credentials, 400/21211 for an invalid
// number, 400/21614 for a number that cannot receive SMS, 429/20429 when rate limited.

import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SentSms = { sid: string; to: string; from: string; body: string; at: number };

export type TwilioFake = {
  url: string;
  accountSid: string;
  authToken: string;
  messages: SentSms[];
  /** Numbers answered with 400/21211 (invalid) or 400/21614 (not a mobile number). */
  invalid: Set<string>;
  notMobile: Set<string>;
  /** The next n requests are answered 429/20429. */
  rateLimitNext(n: number): void;
  /** While true, requests are read but not answered; released ones are accepted or dropped. */
  hold: boolean;
  held(): number;
  release(accept: boolean): void;
  close(): Promise<void>;
};

export async function startTwilioFake(opts: { accountSid?: string; authToken?: string } = {}): Promise<TwilioFake> {
  const accountSid = opts.accountSid ?? 'AC00000000000000000000000000000001';
  const authToken = opts.authToken ?? 'test-auth-token';
  const messages: SentSms[] = [];
  const invalid = new Set<string>();
  const notMobile = new Set<string>();
  let rateLimited = 0;
  let hold = false;
  const holding: { accept: () => void; drop: () => void }[] = [];

  const error = (res: ServerResponse, status: number, code: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
    const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expectedAuth) return error(res, 401, 20003, 'Authenticate');
    if (req.method !== 'POST' || req.url !== path) return error(res, 404, 20404, 'The requested resource was not found');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? '';
    const body = form.get('Body') ?? '';
    if (rateLimited > 0) {
      rateLimited--;
      return error(res, 429, 20429, 'Too Many Requests');
    }
    if (!to) return error(res, 400, 21604, "A 'To' phone number is required.");
    if (invalid.has(to) || !/^\+\d{6,15}$/.test(to)) return error(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (notMobile.has(to)) return error(res, 400, 21614, `'To' number ${to} is not a valid mobile number`);
    if (hold) holding.push({ accept: () => accept(res, to, from, body), drop: () => res.destroy() });
    else accept(res, to, from, body);
  };

  const accept = (res: ServerResponse, to: string, from: string, body: string) => {
    if (!res.socket || res.socket.destroyed) return; // the client gave up (or was killed) meanwhile
    const sid = `SM${String(messages.length + 1).padStart(32, '0')}`;
    messages.push({ sid, to, from, body, at: Date.now() });
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sid, account_sid: accountSid, to, from, body, status: 'queued', num_segments: '1', date_created: new Date().toUTCString() }));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    invalid,
    notMobile,
    rateLimitNext(n) {
      rateLimited = n;
    },
    get hold() {
      return hold;
    },
    set hold(value: boolean) {
      hold = value;
    },
    held: () => holding.length,
    release(accept) {
      for (const h of holding.splice(0)) (accept ? h.accept : h.drop)();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
