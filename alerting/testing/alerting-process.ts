// Test support: the alerting role alone in its own process, on the store the environment names
// (the SQLite file of DATA_DIR, or the search engine), for the crash and multi-engine scenarios. Configuration comes from the environment like main.ts;
// ALERTING_LEASE_MS shortens the delivery lease so that a killed worker's claims expire quickly.
//
//   DATA_DIR=… SMTP_URL=… MAIL_FROM=… JWT_SECRET=… node alerting/testing/alerting-process.ts

import pino from 'pino';
import { loadConfig } from '../../config.ts';
import { openStore } from '../../main.ts';
import { createMetrics } from '../../telemetry/metrics.ts';
import { startAlerting } from '../index.ts';

const config = loadConfig(process.env);
const store = await openStore(config);
const metrics = createMetrics();
const log = pino({ level: config.LOG_LEVEL });
const alerting = startAlerting({
  store,
  config,
  log,
  metrics,
  workerId: process.env.ALERTING_WORKER_ID ?? `child-${process.pid}`,
  dispatcher: { leaseMs: Number(process.env.ALERTING_LEASE_MS ?? 120_000), pollMs: 100 },
});
log.info('alerting process ready');

process.on('SIGTERM', () => {
  alerting
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0), () => process.exit(1));
});
