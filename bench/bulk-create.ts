// Benchmark of creating monitors through the API of a running product (`node main.ts`, every
// role): BENCH_MONITORS (50,000) through POST /api/monitors/bulk, 1,000 a request, against the
// baseline of BENCH_SINGLES (1,000) monitors through POST /api/monitors one at a time, in the
// same run on the same store. Prints the time for the whole fleet and the ratio of monitors per
// second. The issue's target: 50,000 created in ≤ 60 s.
//
//   node bench/bulk-create.ts                       the embedded store (a temp SQLite file)
//   ES_URL=http://127.0.0.1:9200 node bench/bulk-create.ts     the search engine (fresh namespace)
//
// The monitors are created paused (BENCH_PAUSED=0 to probe them): the figure is the API's and the
// store's, not the collector's start-up.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshNamespace } from '../elastic/store/testing.ts';
import { newUser } from '../test/support/api-client.ts';
import { startProduct } from '../test/support/product.ts';
import { wholeNumber } from './knobs.ts';

const MONITORS = wholeNumber('BENCH_MONITORS', 50_000);
const SINGLES = wholeNumber('BENCH_SINGLES', 1_000);
const PER_REQUEST = 1_000;
const paused = process.env.BENCH_PAUSED !== '0';
const esUrl = process.env.ES_URL;

const dir = mkdtempSync(join(tmpdir(), 'bench-bulk-'));
const product = await startProduct({
  DATA_DIR: dir,
  JWT_SECRET: 'bench-bulk-create-secret-'.repeat(2),
  ALLOW_PRIVATE_TARGETS: 'true',
  ...(esUrl ? { STORE: 'elasticsearch', ELASTICSEARCH_URL: esUrl, ELASTICSEARCH_NAMESPACE: freshNamespace() } : {}),
});
try {
  const user = await newUser(product.url, 'bench@example.com');
  const monitor = (i: number) => ({ name: `site ${i}`, url: `http://127.0.0.1:9/site/${i}`, interval_seconds: 20, timeout_ms: 5_000, paused, tags: ['bench'] });

  let started = performance.now();
  for (let i = 0; i < SINGLES; i++) {
    const res = await user.post('/api/monitors', monitor(i));
    if (res.status !== 201) throw new Error(`single create failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const singlesPerSecond = SINGLES / ((performance.now() - started) / 1000);

  started = performance.now();
  for (let i = 0; i < MONITORS; i += PER_REQUEST) {
    const lot = Array.from({ length: Math.min(PER_REQUEST, MONITORS - i) }, (_, j) => monitor(SINGLES + i + j));
    const res = await user.post('/api/monitors/bulk', { monitors: lot });
    if (res.status !== 201) throw new Error(`bulk create failed: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  }
  const bulkSeconds = (performance.now() - started) / 1000;
  const listed = await user.get<{ items: unknown[] }>('/api/monitors?limit=1&tag=bench');
  if (listed.status !== 200 || listed.body.items.length !== 1) throw new Error('the monitors are not listed');

  console.log(`store: ${esUrl ? `search engine at ${esUrl}` : 'SQLite'}; monitors ${paused ? 'paused' : 'probed'}`);
  console.log(`one at a time (baseline): ${SINGLES} monitors, ${singlesPerSecond.toFixed(0)} monitors/s`);
  console.log(`bulk, ${PER_REQUEST} a request: ${MONITORS} monitors in ${bulkSeconds.toFixed(1)} s, ${(MONITORS / bulkSeconds).toFixed(0)} monitors/s`);
  console.log(`ratio bulk / one at a time: ${(MONITORS / bulkSeconds / singlesPerSecond).toFixed(1)}×`);
} finally {
  await product.stop();
  rmSync(dir, { recursive: true, force: true });
}
