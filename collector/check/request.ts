// Sends one HTTP request over a connection that check/connect.ts opened, through an undici Client
// that is handed exactly that socket and never dials on its own (no pool, no keep-alive reuse, no
// TLS session reuse: every probe measures a cold connection, as a visitor's first request would).
// A reply that is not HTTP (another protocol on the port, a broken server) or whose headers are
// malformed or too large is a `protocol` failure: the connection worked, the server's answer did not.

import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { Client, errors } from 'undici';
import type { HttpMethod } from '../../store/types.ts';
import { describeError, ProbeFailure } from './failure.ts';

export type SentRequest = {
  client: Client;
  statusCode: number;
  location: string | null;
  body: Readable;
};

export async function sendRequest(
  socket: Socket,
  url: URL,
  method: HttpMethod,
  headers: Record<string, string>,
  body: string | null,
  signal: AbortSignal,
  maxHeaderBytes: number,
): Promise<SentRequest> {
  let handedOver = false;
  const client = new Client(url.origin, {
    connect: (_options, callback) => {
      // Called back asynchronously: undici does not resume its queue from inside its own connect.
      if (handedOver) {
        queueMicrotask(() => callback(new Error('the probe connection was already used'), null));
        return;
      }
      handedOver = true;
      queueMicrotask(() => callback(null, socket));
    },
    pipelining: 1,
    // The probe's own deadline covers every phase; undici's timers would only duplicate it.
    headersTimeout: 0,
    bodyTimeout: 0,
    maxHeaderSize: maxHeaderBytes,
  });
  try {
    const response = await client.request({ path: url.pathname + url.search, method, headers, signal, ...(body === null ? {} : { body }) });
    // Destroying an unread body makes undici emit an abort error; readers still see real errors.
    response.body.on('error', () => {});
    const location = response.headers['location'];
    return {
      client,
      statusCode: response.statusCode,
      location: Array.isArray(location) ? (location[0] ?? null) : (location ?? null),
      body: response.body,
    };
  } catch (error) {
    client.destroy().catch(() => {});
    socket.destroy();
    if (signal.aborted) throw signal.reason;
    if (error instanceof errors.HeadersOverflowError) {
      throw new ProbeFailure('protocol', `response headers from ${url.host} exceed ${maxHeaderBytes} bytes`);
    }
    if (error instanceof errors.HTTPParserError) {
      throw new ProbeFailure('protocol', `the reply from ${url.host} is not HTTP: ${describeError(error)}`);
    }
    throw new ProbeFailure('connect', `no response from ${url.host}: ${describeError(error)}`);
  }
}
