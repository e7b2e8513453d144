// The collector role on its own, for benchmarks while main.ts cannot run every part: the same
// configuration (config.ts), store and wiring as `node main.ts --role collector`. Stops on
// SIGTERM/SIGINT after flushing its writes.

import pino from 'pino';
import { collectorConfigFrom, startCollector } from '../collector/index.ts';
import { loadConfig } from '../config.ts';
import { openSqliteStore } from '../store/sqlite/open.ts';
import { createMetrics } from '../telemetry/metrics.ts';

const config = loadConfig(process.env);
const log = pino({ level: config.LOG_LEVEL });
const metrics = createMetrics();
const store = await openSqliteStore({ dataDir: config.DATA_DIR });
const collector = startCollector({
  store,
  config: collectorConfigFrom(config),
  log,
  metrics,
});
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  collector
    .stop()
    .then(() => store.close())
    .then(() => metrics.shutdown())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
