// SMS through Twilio's Messages API with the official `twilio` library. renderSms is pure and keeps
// every message under 160 characters (one segment). TWILIO_API_URL, when set, sends the library's
// requests to another base URL (an egress proxy, or a local server that speaks Twilio's API); it
// is done with the library's supported extension point, a custom RequestClient.
//
// Example:
//   const sms = smsChannel({ accountSid: 'AC…', authToken: '…', from: '+15550001111' });
//   await sms.send(delivery, message, { signal });

import twilio from 'twilio';
import type { AlertMessage, Channel } from './channel.ts';
import { PermanentError, TransientError } from './channel.ts';
import { certSentence, describeCause, downtime, formatDuration } from './text.ts';

export const SMS_MAX = 159;

/** Richest wording that fits one segment; the link goes first, then the cause is shortened. */
export function renderSms(message: AlertMessage): string {
  if (message.kind === 'cert') {
    const { monitor } = message;
    const sentence = certSentence(message);
    return fitSms([`CERT: ${monitor.name} - ${sentence}. ${message.link}`, `CERT: ${monitor.name} - ${sentence}`, `CERT: ${sentence}`]);
  }
  const { monitor, incident, kind } = message;
  const host = monitor.url.replace(/^https?:\/\//, '').replace(/\/$/, '');
  const cause = describeCause(incident);
  const since = `${new Date(incident.started_at).toISOString().slice(11, 16)} UTC`;
  const duration = formatDuration(downtime(message));
  const variants =
    kind === 'down'
      ? [`DOWN: ${monitor.name} (${host}) - ${cause} since ${since}. ${message.link}`, `DOWN: ${monitor.name} (${host}) - ${cause} since ${since}`, `DOWN: ${monitor.name} - ${cause}`]
      : kind === 'up'
        ? [`UP: ${monitor.name} (${host}) is back after ${duration}. ${message.link}`, `UP: ${monitor.name} (${host}) is back after ${duration}`, `UP: ${monitor.name} is back after ${duration}`]
        : [`STILL DOWN: ${monitor.name} (${host}) for ${duration} - ${cause}. ${message.link}`, `STILL DOWN: ${monitor.name} (${host}) for ${duration} - ${cause}`, `STILL DOWN: ${monitor.name} for ${duration}`];
  return fitSms(variants);
}

/** The first variant that fits one segment, or the last one cut. */
function fitSms(variants: string[]): string {
  const fits = variants.find((v) => v.length <= SMS_MAX);
  if (fits) return fits;
  const last = variants[variants.length - 1] ?? '';
  return `${last.slice(0, SMS_MAX - 3)}...`;
}

export type SmsOptions = {
  accountSid: string;
  authToken: string;
  from: string;
  /** Base URL replacing https://api.twilio.com (TWILIO_API_URL). */
  apiUrl?: string;
  timeoutMs?: number;
};

type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];

/** Twilio's HTTP client, sending every request to `base` instead of Twilio's own hosts. */
class RebasedRequestClient extends twilio.RequestClient {
  readonly base: URL;
  constructor(base: string, options: ConstructorParameters<typeof twilio.RequestClient>[0]) {
    super(options);
    this.base = new URL(base);
  }
  override request<TData>(opts: RequestOptions & { data?: TData }) {
    const original = new URL(opts.uri);
    const prefix = this.base.pathname.replace(/\/$/, '');
    const uri = new URL(`${prefix}${original.pathname}${original.search}`, this.base.origin);
    return super.request({ ...opts, uri: uri.href });
  }
}

export function smsChannel(opts: SmsOptions): Channel {
  const clientOptions = { timeout: opts.timeoutMs ?? 10_000, autoRetry: false };
  const httpClient = opts.apiUrl ? new RebasedRequestClient(opts.apiUrl, clientOptions) : new twilio.RequestClient(clientOptions);
  const client = twilio(opts.accountSid, opts.authToken, { httpClient, autoRetry: false });
  return {
    type: 'sms',
    async send(delivery, message) {
      try {
        await client.messages.create({ to: delivery.address, from: opts.from, body: renderSms(message) });
      } catch (error) {
        throw classifyTwilioError(error);
      }
    },
    async close() {},
  } satisfies Channel;
}

/** Twilio error codes that retrying cannot fix: the number is invalid, not mobile, or opted out. */
const PERMANENT_CODES = new Set([21211, 21214, 21217, 21408, 21610, 21612, 21614]);

export function classifyTwilioError(error: unknown): Error {
  if (error instanceof twilio.RestException) {
    const what = `Twilio ${error.status}${error.code ? ` (code ${error.code})` : ''}: ${error.message}`;
    if (error.code !== undefined && PERMANENT_CODES.has(error.code)) return new PermanentError(what);
    if (error.status === 429 || error.code === 20429) return new TransientError(what);
    // Bad credentials are the operator's to fix; keep retrying until the 24 h limit.
    if (error.status >= 500 || error.status === 401 || error.status === 403) return new TransientError(what);
    if (error.status >= 400) return new PermanentError(what);
    return new TransientError(what);
  }
  const text = error instanceof Error ? error.message : String(error);
  return new TransientError(`Twilio request failed: ${text}`);
}
