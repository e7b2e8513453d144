// One HTTP POST to a chat or paging provider, answered the way every such provider answers: 2xx
// is accepted; 429 is a rate limit, transient, with the provider's Retry-After handed on to the
// dispatcher; 408, 5xx, timeouts and network errors are transient; any other answer (4xx, a
// redirect, which is not followed) is permanent, with the start of the provider's reply, which
// names the problem ("invalid_token", "Event object is invalid").
//
// Addresses a user gave (Slack, Discord, Teams, ntfy URLs) pass the address guard on the address
// actually dialled, as webhooks and probes do; a provider URL the operator configured
// (PagerDuty's) is dialled unguarded.
//
// Example:
//   const http = createHttpPoster({ provider: 'Slack', allowPrivate: false });
//   await http.postJson(url, { text: 'hi' }, {}, signal);   // throws PermanentError | TransientError

import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { createAddressGuard, type AddressGuard } from '../../net/address-guard.ts';
import { type AlertMessage, type Channel, PermanentError, TransientError } from './channel.ts';

export type HttpPosterOptions = {
  /** Names the provider in error messages. */
  provider: string;
  /** null: no guard (a URL from the operator's configuration, not from a user). */
  allowPrivate: boolean | null;
  timeoutMs?: number;
  clock?: () => number;
};

export type HttpPoster = {
  /** POSTs `body` as JSON; resolves with the reply's text (at most 4 KiB) when accepted. */
  postJson(url: string | URL, body: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<string>;
  close(): Promise<void>;
};

/** What a channel whose address is a URL the user gave (a chat webhook, an ntfy topic) is built from. */
export type ChatChannelOptions = { allowPrivate: boolean; timeoutMs?: number; clock?: () => number };

/**
 * A channel that POSTs one JSON document, rendered from the message, to the contact's address:
 * Slack, Discord and Teams differ only in the render.
 */
export function jsonWebhookChannel(
  type: Channel['type'],
  provider: string,
  render: (message: AlertMessage) => unknown,
  opts: ChatChannelOptions,
): Channel {
  const http = createHttpPoster({ provider, ...opts });
  return {
    type,
    async send(delivery, message, ctx) {
      await http.postJson(delivery.address, render(message), {}, ctx.signal);
    },
    close: () => http.close(),
  };
}

/** A provider asking for more than this is tried again after this anyway (and told 429 again). */
export const MAX_RETRY_AFTER_MS = 3_600_000;
const REPLY_LIMIT = 4 * 1024;
const ERROR_EXCERPT = 300;

export function createHttpPoster(opts: HttpPosterOptions): HttpPoster {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const clock = opts.clock ?? Date.now;
  const guard = opts.allowPrivate === null ? null : createAddressGuard({ allowPrivate: opts.allowPrivate });
  const agent = new Agent({
    connect: { timeout: timeoutMs, ...(guard ? { lookup: guardedLookup(guard) } : {}) },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connections: 16,
  });
  return {
    async postJson(url, body, headers, signal) {
      const target = new URL(url);
      const literal = target.hostname.replace(/^\[|\]$/g, '');
      const blocked = guard && isIP(literal) ? guard(literal) : null;
      if (blocked) throw new PermanentError(`${opts.provider} address refused: ${blocked}`);
      let status: number;
      let retryAfter: string | string[] | undefined;
      let text: string;
      try {
        const res = await request(target, {
          method: 'POST',
          dispatcher: agent,
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json', 'user-agent': 'downtime-monitor/1', ...headers },
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
        status = res.statusCode;
        retryAfter = res.headers['retry-after'];
        text = await readCapped(res.body);
      } catch (error) {
        throw classifyNetworkFailure(opts.provider, error);
      }
      if (status >= 200 && status < 300) return text;
      const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, ERROR_EXCERPT);
      const what = `${opts.provider} answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
      if (status === 429) throw new TransientError(what, { retryAfterMs: parseRetryAfter(retryAfter, clock()) });
      if (status === 408 || status >= 500) throw new TransientError(what);
      throw new PermanentError(status >= 300 && status < 400 ? `${what} (redirects are not followed)` : what);
    },
    async close() {
      await agent.close();
    },
  };
}

/**
 * Retry-After in ms: delay-seconds ("120", and Discord's "1.5") or an HTTP date; undefined when
 * absent or unreadable (the backoff decides then). Capped at MAX_RETRY_AFTER_MS.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(raw)) ms = Math.ceil(Number(raw) * 1000);
  else {
    // An HTTP date starts with the day's name; Date.parse alone would take "-5" for a year.
    if (!/^[A-Za-z]{3},/.test(raw)) return undefined;
    const at = Date.parse(raw);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** The reply's first bytes; the rest is read and dropped (bodyTimeout bounds the time). */
async function readCapped(body: AsyncIterable<Buffer | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < REPLY_LIMIT) chunks.push(Buffer.from(chunk));
    size += chunk.length;
  }
  return Buffer.concat(chunks).subarray(0, REPLY_LIMIT).toString('utf8');
}

export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
}

/** dns.lookup that refuses to hand a blocked address to the socket (checked after resolution). */
export function guardedLookup(guard: AddressGuard) {
  return (hostname: string, options: LookupOptions, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      for (const a of addresses) {
        const reason = guard(a.address);
        if (reason) return callback(new BlockedAddressError(`${hostname} resolves to ${reason}`), '', 0);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      return first ? callback(null, first.address, first.family) : callback(new Error(`no address for ${hostname}`), '', 0);
    });
  };
}

function classifyNetworkFailure(provider: string, error: unknown): Error {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof BlockedAddressError) return new PermanentError(`${provider} address refused: ${cause.message}`);
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new TransientError(`${provider} request failed: ${text}`);
}
