// Alert latency: from the confirming check being written to the store until the message is
// accepted by an SMTP server. 1,000 monitors with one email contact each, a steady background of
// healthy checks (every monitor every 20 s, written in 1 s batches like the collector does), and
// 100 outages confirmed at 10 per second. The alerting role runs with its production defaults
// (evaluation every 500 ms, dispatcher polling every 300 ms and nudged by the evaluator).
//
//   node bench/alert-latency.ts            (MONITORS=1000 TRANSITIONS=100 to change the sizes)
// Target: p95 ≤ 2 s.

import { startAlerting } from '../alerting/index.ts';
import { startSmtpSink } from '../alerting/testing/smtp-sink.ts';
import { createWorld, makeCheck, silentLog } from '../alerting/testing/world.ts';
import { loadConfig } from '../config.ts';
import type { Monitor } from '../store/types.ts';
import { createMetrics } from '../telemetry/metrics.ts';

const MONITORS = Number(process.env.MONITORS ?? 1_000);
const TRANSITIONS = Math.min(MONITORS, Number(process.env.TRANSITIONS ?? 100));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const confirmedAt = new Map<string, number>(); // monitor name → confirming check written
const latencies: number[] = [];
const smtp = await startSmtpSink({
  onMail(mail) {
    const name = /^\[DOWN\] (\S+)/.exec(mail.subject)?.[1];
    const written = name ? confirmedAt.get(name) : undefined;
    if (written !== undefined) latencies.push(mail.receivedAt - written);
  },
});
const world = await createWorld();
const { store } = world;
const config = loadConfig({ DATA_DIR: world.dir, SMTP_URL: smtp.url, MAIL_FROM: 'bench@example.test', JWT_SECRET: 'bench-'.repeat(8) });

console.log(`setting up ${MONITORS} monitors…`);
const monitors: Monitor[] = [];
for (let i = 0; i < MONITORS; i++) {
  const monitor = await world.addMonitor({ name: `bench-${i}`, interval_seconds: 20 });
  await world.addContact(monitor, 'email', `ops-${i}@example.test`);
  monitors.push(monitor);
}
const start = Date.now();
await store.appendChecks(monitors.map((m) => makeCheck(m, 'up', start - 20_000)));

const metrics = createMetrics();
const alerting = startAlerting({ store, config, log: silentLog, metrics });
await sleep(3_000); // the first pass folds the initial checks

// Background: every monitor that is not failing reports up every 20 s, in one batch per second.
const failing = new Set<string>();
let background = true;
const backgroundLoop = (async () => {
  for (let tick = 0; background; tick++) {
    const batch = monitors.filter((m, i) => i % 20 === tick % 20 && !failing.has(m.id)).map((m) => makeCheck(m, 'up', Date.now()));
    await store.appendChecks(batch);
    await sleep(1_000);
  }
})();

console.log(`confirming ${TRANSITIONS} outages at 10 per second…`);
const victims = monitors.slice(0, TRANSITIONS);
for (const m of victims) failing.add(m.id);
// A background batch built before the line above may still carry an up check for a victim: let it
// land before the first failure, or it would break that victim's failure streak.
await sleep(1_100);
const firstFailure = Date.now();
await store.appendChecks(victims.map((m) => makeCheck(m, 'down', firstFailure)));
for (const [i, m] of victims.entries()) {
  await store.appendChecks([makeCheck(m, 'down', Math.max(firstFailure + 1, Date.now()))]);
  confirmedAt.set(m.name, Date.now());
  // Jittered, so that bursts do not keep one phase against the evaluator's 500 ms period.
  if (i % 10 === 9) await sleep(700 + Math.random() * 600);
}
const deadline = Date.now() + 30_000;
while (latencies.length < TRANSITIONS && Date.now() < deadline) await sleep(100);

background = false;
await backgroundLoop;
await alerting.stop();
await smtp.stop();
await world.close();
await metrics.shutdown();

const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
console.log(
  JSON.stringify({
    monitors: MONITORS,
    transitions: TRANSITIONS,
    delivered: latencies.length,
    p50_ms: pct(50),
    p95_ms: pct(95),
    p99_ms: pct(99),
    max_ms: sorted.at(-1) ?? NaN,
    target_p95_ms: 2_000,
    ok: latencies.length === TRANSITIONS && pct(95) <= 2_000,
  }),
);
