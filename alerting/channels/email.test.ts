import { createServer, type Server, type Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCertMessage, sampleDelivery, sampleMessage, T0 } from '../testing/fixtures.ts';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.ts';
import { PermanentError, TransientError } from './channel.ts';
import { emailChannel, renderEmail } from './email.ts';
import { freePort } from '../../test/support/free-port.ts';

const signal = new AbortController().signal;

describe('renderEmail', () => {
  it('down: subject names the monitor and URL; body has cause, UTC and local time, link', () => {
    const mail = renderEmail(sampleMessage('down'));
    expect(mail.subject).toBe('[DOWN] Shop (https://shop.example/health)');
    expect(mail.text).toContain('Cause: HTTP 503');
    expect(mail.text).toContain('Down since: 2025-03-01 14:03:07 UTC (15:03:07 GMT+1, Europe/Paris)');
    expect(mail.text).toContain('Confirmed: 2025-03-01 14:04:07 UTC (15:04:07 GMT+1, Europe/Paris) from paris');
    expect(mail.text).toContain('Details: https://uptime.example/monitors/mon_1');
    expect(mail.html).toContain('<a href="https://uptime.example/monitors/mon_1">');
  });

  it('names a non-HTTP cause by its error type and message', () => {
    const down = sampleMessage('down');
    const mail = renderEmail({
      ...down,
      incident: { ...down.incident, cause_type: 'connect', cause_message: 'connect ECONNREFUSED 192.0.2.10:443', cause_status_code: null },
    });
    expect(mail.text).toContain('Cause: connect: connect ECONNREFUSED 192.0.2.10:443');
  });

  it('up: subject names the monitor and URL and says how long it was down', () => {
    const mail = renderEmail(sampleMessage('up'));
    expect(mail.subject).toBe('[UP] Shop (https://shop.example/health) is back after 12 min');
    expect(mail.text).toContain('Back at: 2025-03-01 14:15:07 UTC');
    expect(mail.text).toContain('Cause was: HTTP 503');
  });

  it.each([
    { seconds: 60, text: '1 min' },
    { seconds: 119, text: '1 min 59 s' },
    { seconds: 59.6, text: '1 min' },
    { seconds: 3 * 3600 + 5 * 60 + 10, text: '3 h 5 min' },
  ])('up: an outage of $seconds s is "$text", as the dashboard says', ({ seconds, text }) => {
    const base = sampleMessage('up');
    const mail = renderEmail({ ...base, incident: { ...base.incident, resolved_at: base.incident.started_at + seconds * 1000 } });
    expect(mail.subject).toBe(`[UP] Shop (https://shop.example/health) is back after ${text}`);
    expect(mail.text).toContain(`Status: UP again after ${text} of downtime`);
  });

  it('up: a mixed outage names every cause, in the order they appeared', () => {
    const mail = renderEmail(
      sampleMessage('up', {
        causes: [
          { cause_type: 'status', cause_message: 'status 500 is not in 200-399', cause_status_code: 500 },
          { cause_type: 'timeout', cause_message: 'no response after 500 ms', cause_status_code: null },
          { cause_type: 'connect', cause_message: 'connect ECONNREFUSED 127.0.0.1:8080', cause_status_code: null },
        ],
      }),
    );
    expect(mail.text).toContain(
      'Causes were: HTTP 500, then timeout: no response after 500 ms, then connect: connect ECONNREFUSED 127.0.0.1:8080',
    );
  });

  it('reminder: says how long it has been down so far', () => {
    const mail = renderEmail(sampleMessage('reminder'));
    expect(mail.subject).toBe('[STILL DOWN] Shop (https://shop.example/health) for 1 h 35 min');
    expect(mail.text).toContain('Status: still DOWN, for 1 h 35 min');
  });

  it('shows UTC only when the monitor has no time zone, and escapes HTML', () => {
    const base = sampleMessage('down');
    const mail = renderEmail({ ...base, monitor: { ...base.monitor, name: '<b>Shop</b>', timezone: null } });
    expect(mail.text).toContain('Down since: 2025-03-01 14:03:07 UTC\n');
    expect(mail.html).not.toContain('<b>Shop</b>');
    expect(mail.html).toContain('&#60;b&#62;Shop');
  });
});

describe('emailChannel against a real SMTP server', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.stop();
  });

  it('delivers to the recipient with the delivery id as Message-ID', async () => {
    const channel = emailChannel({ smtpUrl: sink.url, from: 'Uptime <uptime@example.com>', messageIdDomain: 'uptime.example' });
    try {
      await channel.send(sampleDelivery({ id: 'dlv_1', address: 'ops@example.com' }), sampleMessage('down'), { signal });
    } finally {
      await channel.close();
    }
    const mail = sink.mails.find((m) => m.messageId === '<dlv_1@uptime.example>');
    expect(mail?.to).toEqual(['ops@example.com']);
    expect(mail?.from).toBe('uptime@example.com');
    expect(mail?.subject).toBe('[DOWN] Shop (https://shop.example/health)');
    expect(mail?.text).toContain('Cause: HTTP 503');
    expect(mail?.html).toContain('<table>');
    expect(mail?.headers.get('x-delivery-id')).toBe('dlv_1');
  });

  it('speaks implicit TLS with smtps:// (URL options such as tls.rejectUnauthorized pass through)', async () => {
    const received: string[] = [];
    const secure = new SMTPServer({
      secure: true, // smtp-server's built-in self-signed certificate
      authOptional: true,
      logger: false,
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          received.push(...session.envelope.rcptTo.map((r) => r.address));
          callback();
        });
      },
    });
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
    const port = (secure.server.address() as { port: number }).port;
    const url = `smtps://127.0.0.1:${port}/?tls.rejectUnauthorized=false`;
    const channel = emailChannel({ smtpUrl: url, from: 'uptime@example.com', messageIdDomain: 'x' });
    try {
      await channel.send(sampleDelivery({ address: 'tls@example.com' }), sampleMessage('down'), { signal });
      expect(received).toEqual(['tls@example.com']);
    } finally {
      await channel.close();
      await new Promise<void>((r) => secure.close(() => r()));
    }
  });

  it('refuses an untrusted certificate over smtps:// (transient: the operator can fix it)', async () => {
    const secure = new SMTPServer({ secure: true, authOptional: true, logger: false });
    secure.on('error', () => {}); // the client hanging up mid-handshake is the point of this test
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
    const port = (secure.server.address() as { port: number }).port;
    const channel = emailChannel({ smtpUrl: `smtps://127.0.0.1:${port}`, from: 'uptime@example.com', messageIdDomain: 'x' });
    try {
      await expect(channel.send(sampleDelivery(), sampleMessage('down'), { signal })).rejects.toBeInstanceOf(TransientError);
    } finally {
      await channel.close();
      await new Promise<void>((r) => secure.close(() => r()));
    }
  });

  it('a recipient refused with 550 is a permanent error', async () => {
    sink.rejected.add('gone@example.com');
    const channel = emailChannel({ smtpUrl: sink.url, from: 'uptime@example.com', messageIdDomain: 'uptime.example' });
    try {
      const sending = channel.send(sampleDelivery({ address: 'gone@example.com' }), sampleMessage('down'), { signal });
      await expect(sending).rejects.toBeInstanceOf(PermanentError);
    } finally {
      await channel.close();
    }
  });

  it('a server that is not listening is a transient error', async () => {
    const closed = await freePort();
    const channel = emailChannel({ smtpUrl: `smtp://127.0.0.1:${closed}`, from: 'uptime@example.com', messageIdDomain: 'x' });
    try {
      await expect(channel.send(sampleDelivery(), sampleMessage('up', { now: T0 }), { signal })).rejects.toBeInstanceOf(TransientError);
    } finally {
      await channel.close();
    }
  });

  it('a server that never greets times out as a transient error', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const channel = emailChannel({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'uptime@example.com', messageIdDomain: 'x', timeoutMs: 300 });
    const started = Date.now();
    try {
      await expect(channel.send(sampleDelivery(), sampleMessage('down'), { signal })).rejects.toBeInstanceOf(TransientError);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await channel.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('renderEmail for a certificate', () => {
  it('says when the certificate expires, who issued it, and its fingerprint', () => {
    const mail = renderEmail(sampleCertMessage());
    expect(mail.subject).toBe("[CERT] Shop: certificate for shop.example expires in 12 days (2025-03-13), issued by Let's Encrypt R11");
    expect(mail.text).toContain('Status: certificate for shop.example expires in 12 days (2025-03-13)');
    expect(mail.text).toContain("Issuer: Let's Encrypt R11");
    expect(mail.text).toContain('SHA-256: 5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef');
    expect(mail.text).toContain('Threshold: 14 days before expiry');
    expect(mail.text).toContain('Details: https://uptime.example/monitors/mon_1');
    expect(mail.html).toContain('Let&#39;s Encrypt R11');
  });
});
