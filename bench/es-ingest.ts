// Benchmark of the Elasticsearch store's write path: checks per second through our writer
// (`appendChecks`: bulk create with per-item inspection, retries, the rollover guard) against a
// raw `_bulk` of the very same documents into the same node, in the same run. Target: ours / raw
// ≥ 0.8. Rounds alternate (raw, ours, raw, ours…) into fresh namespaces so that neither side gets
// a warmer JVM or a bigger index; the median of each side is compared.
//
//   npm run es:start && ES_URL=http://127.0.0.1:9200 node bench/es-ingest.ts
//
// Environment: ES_URL (required), BENCH_CHECKS per round (100000), BENCH_BATCH checks per bulk
// (2000, the collector's batch), BENCH_ROUNDS per side (3), BENCH_MONITORS (1000).

import { Client } from '@elastic/elasticsearch';
import { checkToEcs } from '../store/ecs.ts';
import { makeCheck, monitorInput } from '../store/testing/fixtures.ts';
import type { Check, Monitor } from '../store/types.ts';
import { dropNamespace, freshNamespace } from '../elastic/store/testing.ts';
import { openElasticsearchStore } from '../elastic/store/open.ts';
import { detectEngine } from '../elastic/engine.ts';
import { installTemplates } from '../elastic/setup.ts';
import { indexNames } from '../elastic/templates/index.ts';
import { wholeNumber } from './knobs.ts';

const url = process.env.ES_URL;
if (!url) throw new Error('ES_URL is not set: start the dev node (npm run es:start) and pass ES_URL=http://127.0.0.1:9200');
const CHECKS = wholeNumber('BENCH_CHECKS', 100_000);
const BATCH = wholeNumber('BENCH_BATCH', 2_000);
const ROUNDS = wholeNumber('BENCH_ROUNDS', 3);
const MONITORS = wholeNumber('BENCH_MONITORS', 1_000);

const client = new Client({ node: url, requestTimeout: 60_000 });

function fleet(): Monitor[] {
  return Array.from({ length: MONITORS }, (_, i) => ({
    ...monitorInput({ name: `bench ${i}`, url: `https://site${i}.example/health`, interval_seconds: 20 }),
    id: `m${i}`,
    owner_id: `owner${i % 10}`,
    created_at: 0,
    updated_at: 0,
  }));
}

/** Time-major checks, as a collector writes them: every monitor once per 20 s. */
function checks(monitors: Monitor[], start: number): Check[] {
  return Array.from({ length: CHECKS }, (_, i) => {
    const monitor = monitors[i % monitors.length]!;
    return makeCheck(monitor, start + Math.floor(i / monitors.length) * 20_000 + (i % 1000));
  });
}

async function raw(namespace: string, all: Check[]): Promise<number> {
  const index = indexNames(namespace).checks;
  const started = performance.now();
  for (let i = 0; i < all.length; i += BATCH) {
    const now = Date.now();
    const operations = all.slice(i, i + BATCH).flatMap((check) => [{ create: { _index: index, _id: check.id } }, checkToEcs(check, now)]);
    const response = await client.bulk({ operations });
    if (response.errors) throw new Error('raw bulk reported item errors');
  }
  return all.length / ((performance.now() - started) / 1000);
}

async function ours(namespace: string, all: Check[]): Promise<number> {
  const store = await openElasticsearchStore({ client, namespace, retentionDays: 400, ownsClient: false });
  const started = performance.now();
  for (let i = 0; i < all.length; i += BATCH) await store.appendChecks(all.slice(i, i + BATCH));
  const rate = all.length / ((performance.now() - started) / 1000);
  await store.close();
  return rate;
}

async function count(namespace: string): Promise<number> {
  const index = indexNames(namespace).checks;
  await client.indices.refresh({ index });
  return (await client.count({ index })).count;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const monitors = fleet();
const rates: Record<'raw' | 'ours', number[]> = { raw: [], ours: [] };
const engine = await detectEngine(client);
console.log(`engine: ${engine.distribution} ${engine.version}; ${CHECKS} checks per round in bulks of ${BATCH}, ${ROUNDS} rounds per side`);
for (let round = 0; round < ROUNDS; round++) {
  for (const side of ['raw', 'ours'] as const) {
    const namespace = freshNamespace();
    await installTemplates(client, { namespace, retentionDays: 400 });
    const all = checks(monitors, Date.UTC(2026, 5, 1) + round * 86_400_000);
    try {
      const rate = side === 'raw' ? await raw(namespace, all) : await ours(namespace, all);
      const stored = await count(namespace);
      if (stored !== all.length) throw new Error(`${side}: ${stored} checks stored, expected ${all.length}`);
      rates[side].push(rate);
      console.log(`round ${round + 1} ${side.padEnd(4)} ${Math.round(rate).toLocaleString('en')} checks/s`);
    } finally {
      await dropNamespace(client, namespace);
    }
  }
}
const ratio = median(rates.ours) / median(rates.raw);
console.log(
  `median: raw ${Math.round(median(rates.raw)).toLocaleString('en')} checks/s, ours ${Math.round(median(rates.ours)).toLocaleString('en')} checks/s, ours/raw ${ratio.toFixed(2)} (target ≥ 0.8)`,
);
await client.close();
