// Benchmark targets, run as a separate process (so their CPU is not the product's), all on
// 127.0.0.1: one HTTP and one HTTPS server answering `GET /m/<index>` with a small 200, one TCP
// listener that accepts connections (a tcp monitor connects and closes), and one DNS server
// (collector/testing/dns-server.ts) answering `m<index>.bench.test` A with 192.0.2.10. While
// recording, each arrival's monitor index and time are kept, so the parent can measure, from
// outside the product, how many probes arrived and how late each was against its monitor's slot.
// A TCP connection carries no index: it is kept with index -1 (counted, not attributed).
//
// Started by bench/probe-capacity.ts and bench/probe-types.ts with fork(); env TARGET_KEY_FILE /
// TARGET_CERT_FILE.
// IPC: parent sends {type:'record'} or {type:'collect'}; we send {type:'ready', http, https, tcp,
// dns, dnsAnswer} once (dns: "127.0.0.1:port", a monitor's resolver) and {type:'samples',
// indexes, times, total} on collect.

import { readFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createServer as createTcp, type AddressInfo } from 'node:net';
import { startDnsServer } from '../collector/testing/dns-server.ts';

const BODY = Buffer.from('ok\n');
/** The address every bench DNS name answers with (TEST-NET-1: never a real host). */
const DNS_ANSWER = '192.0.2.10';
/** How long an idle TCP connection may stay open: a probe closes its own at once. */
const TCP_IDLE_MS = 10_000;
let recording = false;
let total = 0;
let indexes: number[] = [];
let times: number[] = [];

function arrived(index: number): void {
  total++;
  if (!recording) return;
  indexes.push(index);
  times.push(Date.now());
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const match = /^\/m\/(\d+)/.exec(req.url ?? '');
  if (match) arrived(Number(match[1]));
  else total++;
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
const tcp = createTcp((socket) => {
  arrived(-1);
  // The probe closes (or resets) its side; nothing is read or written here.
  socket.on('error', () => {});
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
  socket.resume();
});
const dns = await startDnsServer((name) => {
  const match = /^m(\d+)\.bench\.test$/.exec(name);
  if (!match) return undefined;
  arrived(Number(match[1]));
  return { records: [{ type: 'A', data: DNS_ANSWER }] };
});
await Promise.all([http, https, tcp].map((s) => new Promise<void>((r) => s.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r))));

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
process.send({
  type: 'ready',
  http: (http.address() as AddressInfo).port,
  https: (https.address() as AddressInfo).port,
  tcp: (tcp.address() as AddressInfo).port,
  dns: dns.address,
  dnsAnswer: DNS_ANSWER,
});
