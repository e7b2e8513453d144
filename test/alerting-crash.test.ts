// Crashes and several engines, with real processes on one store (a SQLite file, and the search
// engine when the run has one): a SIGKILL between the state change and the send must not lose or
// duplicate a message, and two alerting processes must send one message per contact per
// transition. The one repeat a crash can cause (the provider accepted, its answer was lost) carries
// the first copy's Message-ID; a mail server down for a while delays messages, never loses or
// doubles them. "Nothing more arrives" is asserted once the system is provably idle (quiesce), not
// after a fixed wait.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnAlerting, type AlertingProcess } from '../alerting/testing/spawn.ts';
import { eventually, providerEnv } from '../alerting/testing/system.ts';
import { startSmtpSink, type SmtpSink } from '../alerting/testing/smtp-sink.ts';
import { startTwilioFake, type TwilioFake } from '../alerting/testing/twilio-fake.ts';
import { createWorld, type World } from '../alerting/testing/world.ts';
import type { Monitor } from '../store/types.ts';
import { scenarioBackends } from './support/backends.ts';

describe.each(scenarioBackends())('on $name', (backend) => {
  let world: World;
  let smtp: SmtpSink;
  let twilio: TwilioFake;
  const running: AlertingProcess[] = [];

  beforeEach(async () => {
    world = await createWorld({ storage: await backend.open() });
    [smtp, twilio] = await Promise.all([startSmtpSink(), startTwilioFake()]);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.kill()));
    await Promise.all([smtp.stop(), twilio.close()]);
    await world.close();
  });

  async function alertingProcess(extra: Record<string, string> = {}): Promise<AlertingProcess> {
    const p = await spawnAlerting({
      ...world.env,
      ...providerEnv(smtp, twilio),
      JWT_SECRET: 'crash-test-secret-'.repeat(3),
      ALLOW_PRIVATE_TARGETS: 'true',
      // Short, so that a killed worker's claims expire soon; yet longer than a send on a busy
      // machine: a send outliving its lease is claimed again by another worker (at least once).
      ALERTING_LEASE_MS: '5000',
      ...extra,
    });
    running.push(p);
    return p;
  }

  async function monitorWithContacts(name: string): Promise<Monitor> {
    const monitor = await world.addMonitor({ name });
    await world.addContact(monitor, 'email', `${name}-a@example.test`);
    await world.addContact(monitor, 'email', `${name}-b@example.test`);
    await world.addContact(monitor, 'sms', '+33612345678');
    return monitor;
  }

  const deliveries = async (m: Monitor) => (await world.store.listDeliveries(world.user.id, m.id)) ?? [];

  const SENTINEL = 'sentinel@example.test';
  /** Mails of the scenario, without the sentinel's. */
  const scenarioMails = () => smtp.mails.filter((m) => m.to[0] !== SENTINEL);

  /**
   * Call once the scenario's deliveries are settled. A sentinel monitor then goes down: its DOWN
   * going out shows that an evaluator and a dispatcher made a pass after everything settled (a
   * pass claims every due delivery, the oldest first). Then every alerting process stops
   * gracefully, which lets sends in flight finish: after that, nothing more can arrive.
   */
  async function quiesce(): Promise<void> {
    const sentinel = await world.addMonitor({ name: 'sentinel' });
    await world.addContact(sentinel, 'email', SENTINEL);
    await world.writeCheck(sentinel, 'down', Date.now() - 1_000);
    await world.writeCheck(sentinel, 'down', Date.now());
    await eventually('the sentinel DOWN sent', async () => (await deliveries(sentinel)).some((d) => d.status === 'sent'), 60_000);
    await Promise.all(running.splice(0).map((p) => p.stop()));
    expect(smtp.mails.filter((m) => m.to[0] === SENTINEL)).toHaveLength(1);
  }

  describe('alerting processes', () => {
    it('killed with SIGKILL between the state change and the send: after a restart each message goes out once', { timeout: 180_000 }, async () => {
      const monitor = await monitorWithContacts('shop');
      smtp.hold = true; // sends start but never complete: the process dies with them in flight
      twilio.hold = true;
      const first = await alertingProcess();
      await world.writeCheck(monitor, 'down', Date.now() - 1_000);
      await world.writeCheck(monitor, 'down', Date.now());
      await eventually('three sends in flight', async () => smtp.held() === 2 && twilio.held() === 1, 60_000);
      // Listing is a search: on the search engine the leases show within a refresh.
      const inFlight = await eventually('three leased deliveries listed', async () => {
        const listed = await deliveries(monitor);
        return listed.length === 3 && listed.every((d) => d.lease_owner !== null) && listed;
      }, 60_000);
      expect(inFlight.map((d) => d.status)).toEqual(['pending', 'pending', 'pending']);

      await first.kill();
      smtp.release(false);
      twilio.release(false);
      smtp.hold = false;
      twilio.hold = false;
      expect(smtp.mails).toHaveLength(0);

      await alertingProcess();
      await eventually('all sent after restart', async () => (await deliveries(monitor)).every((d) => d.status === 'sent'), 60_000);
      await quiesce();
      expect(scenarioMails().map((m) => m.to[0]).sort()).toEqual(['shop-a@example.test', 'shop-b@example.test']);
      expect(twilio.messages).toHaveLength(1);
      expect(await deliveries(monitor)).toHaveLength(3);
      expect(await world.store.listIncidents(world.user.id, monitor.id, {})).toHaveLength(1);
    });

    it('killed as soon as the incident is written; the recovery while it is dead is notified after restart, each message once', { timeout: 180_000 }, async () => {
      const monitor = await monitorWithContacts('blog');
      // The first process sends to servers that never answer, and are not the ones counted: a
      // message whose last bytes it wrote just before dying would otherwise reach the counted
      // sink after the kill, and be accepted (SMTP cannot be exactly-once across a crash).
      const [deadSmtp, deadTwilio] = await Promise.all([startSmtpSink(), startTwilioFake()]);
      deadSmtp.hold = true;
      deadTwilio.hold = true;
      try {
        const first = await alertingProcess({
          SMTP_URL: deadSmtp.url,
          TWILIO_ACCOUNT_SID: deadTwilio.accountSid,
          TWILIO_AUTH_TOKEN: deadTwilio.authToken,
          TWILIO_API_URL: deadTwilio.url,
        });
        await world.writeCheck(monitor, 'down', Date.now() - 1_000);
        await world.writeCheck(monitor, 'down', Date.now());
        await eventually('deliveries written', async () => (await deliveries(monitor)).length === 3, 60_000);
        await first.kill();
      } finally {
        deadSmtp.release(false);
        deadTwilio.release(false);
        await Promise.all([deadSmtp.stop(), deadTwilio.close()]);
      }
      await world.writeCheck(monitor, 'up', Date.now());
      await alertingProcess();
      await eventually('down and up sent', async () => {
        const d = await deliveries(monitor);
        return d.length === 6 && d.every((x) => x.status === 'sent');
      }, 60_000);
      await quiesce();
      const subjects = scenarioMails().map((m) => `${m.to[0]} ${m.subject.split(' ')[0]}`).sort();
      expect(subjects).toEqual(['blog-a@example.test [DOWN]', 'blog-a@example.test [UP]', 'blog-b@example.test [DOWN]', 'blog-b@example.test [UP]']);
      // In order for each contact, although the DOWN stayed leased to the dead process for a while.
      for (const to of ['blog-a@example.test', 'blog-b@example.test']) {
        expect(scenarioMails().filter((m) => m.to[0] === to).map((m) => m.subject.split(' ')[0])).toEqual(['[DOWN]', '[UP]']);
      }
      expect(twilio.messages.map((m) => m.body.split(':')[0])).toEqual(['DOWN', 'UP']);
    });

    it('killed after the mail server accepted but before its answer came: the one repeat carries the same Message-ID', { timeout: 180_000 }, async () => {
      const monitor = await world.addMonitor({ name: 'api' });
      await world.addContact(monitor, 'email', 'api-a@example.test');
      await world.addContact(monitor, 'email', 'api-b@example.test');
      smtp.hold = true; // the message is read, the final 250 not yet sent
      const first = await alertingProcess();
      await world.writeCheck(monitor, 'down', Date.now() - 1_000);
      await world.writeCheck(monitor, 'down', Date.now());
      await eventually('two sends in flight', async () => smtp.held() === 2, 60_000);
      await first.kill();
      smtp.release(true); // accepted, but the answer goes to a dead process
      smtp.hold = false;
      expect(smtp.mails).toHaveLength(2);

      await alertingProcess();
      await eventually('both sent after restart', async () => (await deliveries(monitor)).every((d) => d.status === 'sent'), 60_000);
      await quiesce();
      const byRecipient = (to: string) => scenarioMails().filter((m) => m.to[0] === to);
      for (const to of ['api-a@example.test', 'api-b@example.test']) {
        const copies = byRecipient(to);
        expect(copies).toHaveLength(2);
        expect(copies[0]!.messageId).not.toBe('');
        expect(copies[1]!.messageId, 'a receiver can drop the repeat').toBe(copies[0]!.messageId);
      }
      expect(byRecipient('api-a@example.test')[0]!.messageId).not.toBe(byRecipient('api-b@example.test')[0]!.messageId);
    });

    it('with the mail server down during an outage: each message goes out once when it is back', { timeout: 180_000 }, async () => {
      const monitor = await world.addMonitor({ name: 'cdn' });
      await world.addContact(monitor, 'email', 'cdn@example.test');
      await smtp.stop();
      await alertingProcess();
      await world.writeCheck(monitor, 'down', Date.now() - 1_000);
      await world.writeCheck(monitor, 'down', Date.now());
      await eventually('the DOWN tried and failed', async () => (await deliveries(monitor)).some((d) => d.attempts >= 1 && d.status === 'pending'), 60_000);
      await world.writeCheck(monitor, 'up', Date.now());
      await eventually('the UP enqueued', async () => (await deliveries(monitor)).length === 2, 60_000);
      await smtp.start();
      await eventually('both sent', async () => (await deliveries(monitor)).every((d) => d.status === 'sent'), 60_000);
      await quiesce();
      expect(scenarioMails().map((m) => m.subject.split(' ')[0])).toEqual(['[DOWN]', '[UP]']);
    });

    it('two alerting processes on one store send one message per contact per transition', { timeout: 180_000 }, async () => {
      const monitors: Monitor[] = [];
      for (let i = 0; i < 10; i++) {
        const monitor = await world.addMonitor({ name: `m${i}` });
        await world.addContact(monitor, 'email', `m${i}@example.test`);
        monitors.push(monitor);
      }
      // Nobody is killed here: the default lease, so that a slow send is never taken over.
      await Promise.all([
        alertingProcess({ ALERTING_WORKER_ID: 'one', ALERTING_LEASE_MS: '120000' }),
        alertingProcess({ ALERTING_WORKER_ID: 'two', ALERTING_LEASE_MS: '120000' }),
      ]);
      const t = Date.now();
      for (const m of monitors) await world.writeCheck(m, 'up', t - 3_000);
      for (const m of monitors) await world.writeCheck(m, 'down', t - 2_000);
      // Let some monitors be folded between the two failures: one at least shows a streak of one.
      await eventually('a monitor folded between the failures', async () => {
        for (const m of monitors) if ((await world.store.getAlertState(m.id))?.state.streak_status === 'down') return true;
        return false;
      }, 60_000);
      for (const m of monitors) await world.writeCheck(m, 'down', t - 1_000);
      await eventually('ten DOWN mails', async () => smtp.mails.length >= 10, 60_000);
      for (const m of monitors) await world.writeCheck(m, 'up', Date.now());
      await eventually('ten UP mails', async () => smtp.mails.length >= 20, 60_000);
      await eventually('every delivery settled', async () => {
        for (const m of monitors) if (!(await deliveries(m)).every((d) => d.status === 'sent')) return false;
        return true;
      }, 60_000);
      await quiesce();
      const seen = scenarioMails().map((m) => `${m.to[0]} ${m.subject.split(' ')[0]}`).sort();
      const expected = monitors.flatMap((m) => [`${m.name}@example.test [DOWN]`, `${m.name}@example.test [UP]`]).sort();
      expect(seen).toEqual(expected);
    });
  });
});
