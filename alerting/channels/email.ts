// Email through any SMTP server (SMTP_URL: smtp:// upgrades with STARTTLS when offered, smtps:// is
// TLS from the first byte; nodemailer URL options such as ?tls.servername=… pass through).
// renderEmail is pure; the channel adds the transport, timeouts and error classification.
//
// Example:
//   const email = emailChannel({ smtpUrl: 'smtp://user:pass@mail:587', from: 'Uptime <up@x.io>', messageIdDomain: 'x.io' });
//   await email.send(delivery, message, { signal });

import { createTransport } from 'nodemailer';
import type { AlertMessage, Channel } from './channel.ts';
import { PermanentError, TransientError } from './channel.ts';
import { alertFacts } from './facts.ts';
import { headline } from './text.ts';

export type RenderedEmail = { subject: string; text: string; html: string };

/** Subject, plain text and HTML bodies for one notification. */
export function renderEmail(message: AlertMessage): RenderedEmail {
  const { monitor } = message;
  const lines = alertFacts(message);
  lines.push(['Details', message.link]);

  const subject = headline(message);
  const text = [`${monitor.name}`, '', ...lines.map(([k, v]) => `${k}: ${v}`), ''].join('\n');
  const rows = lines
    .map(([k, v]) => {
      const value = k === 'Details' ? `<a href="${escapeHtml(v)}">${escapeHtml(v)}</a>` : escapeHtml(v);
      return `<tr><th align="left" style="padding-right:1em">${escapeHtml(k)}</th><td>${value}</td></tr>`;
    })
    .join('');
  const html = `<!doctype html><html><body><h2>${escapeHtml(subject)}</h2><table>${rows}</table></body></html>`;
  return { subject, text, html };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export type EmailOptions = {
  smtpUrl: string;
  from: string;
  /** Right-hand side of Message-ID; the left is the delivery id, so a resend is recognisable. */
  messageIdDomain: string;
  /** Connection and greeting limit, ms (default 10 s); socket inactivity is three times it. */
  timeoutMs?: number;
};

export function emailChannel(opts: EmailOptions): Channel {
  const timeout = opts.timeoutMs ?? 10_000;
  const transport = createTransport({
    url: opts.smtpUrl,
    pool: true,
    maxConnections: 3,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: 3 * timeout,
    dnsTimeout: timeout,
  });
  return {
    type: 'email',
    async send(delivery, message, ctx) {
      const mail = renderEmail(message);
      try {
        await transport.sendMail({
          from: opts.from,
          to: delivery.address,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: `<${delivery.id}@${opts.messageIdDomain}>`,
          headers: { 'X-Delivery-Id': delivery.id },
          signal: ctx.signal,
        });
      } catch (error) {
        throw classifySmtpError(error);
      }
    },
    async close() {
      transport.close();
    },
  } satisfies Channel;
}

type SmtpFailure = { code?: unknown; responseCode?: unknown; message?: unknown };

/**
 * 5xx refusals of the envelope or message are permanent (unknown mailbox, rejected content);
 * a refused login is not: the operator can fix the credentials, and the 24 h limit still applies.
 * Connection problems and 4xx are transient.
 */
export function classifySmtpError(error: unknown): Error {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SmtpFailure;
  const text = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'string' ? e.code : '';
  const status = typeof e.responseCode === 'number' ? e.responseCode : null;
  if (code === 'EAUTH') return new TransientError(`SMTP login refused: ${text}`);
  if (status !== null && status >= 500) return new PermanentError(`SMTP ${status}: ${text}`);
  if (status === null && code === 'EENVELOPE') return new PermanentError(`invalid envelope: ${text}`);
  return new TransientError(`SMTP ${status ?? code ?? 'error'}: ${text}`);
}
