// Benchmark targets, run as a separate process (so their CPU is not the product's): one HTTP and
// one HTTPS server on 127.0.0.1 answering `GET /m/<index>` with a small 200. While recording, each
// request's monitor index and arrival time are kept, so the parent can measure, from outside the
// product, how many probes arrived and how late each was against its monitor's slot.
//
// Started by bench/probe-capacity.ts with fork(); env TARGET_KEY_FILE / TARGET_CERT_FILE.
// IPC: parent sends {type:'record'} or {type:'collect'}; we send {type:'ready', http, https} once
// and {type:'samples', indexes, times, total} on collect.

import { readFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';

const BODY = Buffer.from('ok\n');
let recording = false;
let total = 0;
let indexes: number[] = [];
let times: number[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  total++;
  if (recording) {
    const match = /^\/m\/(\d+)/.exec(req.url ?? '');
    if (match) {
      indexes.push(Number(match[1]));
      times.push(Date.now());
    }
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
  res.end(BODY);
}

const keyFile = process.env['TARGET_KEY_FILE'];
const certFile = process.env['TARGET_CERT_FILE'];
if (!keyFile || !certFile || !process.send) {
  console.error('bench/targets.ts is started by bench/probe-capacity.ts (needs TARGET_KEY_FILE, TARGET_CERT_FILE and IPC)');
  process.exit(2);
}
const http = createHttp(handle);
const https = createHttps({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, handle);
// Node's default keep-alive (timeout=5): typical of real sites. (A keep-alive timeout under 2 s
// makes undici tear the connection down with an error object per response, which costs CPU.)
for (const server of [http, https]) {
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
}
await Promise.all([http, https].map((s) => new Promise<void>((r) => s.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r))));

process.on('message', (message: { type: string }) => {
  if (message.type === 'record') {
    indexes = [];
    times = [];
    recording = true;
  } else if (message.type === 'collect') {
    recording = false;
    process.send?.({ type: 'samples', indexes, times, total });
  }
});
// Ends with the parent, whatever happens to it.
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', http: (http.address() as AddressInfo).port, https: (https.address() as AddressInfo).port });
