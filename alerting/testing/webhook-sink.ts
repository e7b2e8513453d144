// Test support: an HTTP server on 127.0.0.1 that receives webhooks, keeps their raw body and
// headers, and answers with scripted statuses (default 204) or stalls to exercise timeouts.

import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedHook = { path: string; headers: IncomingHttpHeaders; body: string; at: number };

export type WebhookSink = {
  url: string;
  hooks: ReceivedHook[];
  /** Statuses for the next requests, in order; then 204. */
  respond: number[];
  /** Delay before answering, ms. */
  delayMs: number;
  close(): Promise<void>;
};

export async function startWebhookSink(): Promise<WebhookSink> {
  const sink: WebhookSink = {
    url: '',
    hooks: [],
    respond: [],
    delayMs: 0,
    close: async () => {},
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (sink.delayMs > 0) await new Promise((r) => setTimeout(r, sink.delayMs));
    const status = sink.respond.shift() ?? 204;
    if (status >= 200 && status < 300) {
      sink.hooks.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
    }
    res.writeHead(status, status >= 300 && status < 400 ? { location: 'https://elsewhere.example/' } : {});
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sink.close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return sink;
}
