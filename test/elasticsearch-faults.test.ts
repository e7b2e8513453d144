// The search engine failing under a running collector (a real `node main.ts --role collector`
// process probing real targets on 127.0.0.1), through a proxy that fails the way production does
// (test/support/fault-proxy.ts): unreachable for a minute; unreachable while the collector is
// SIGKILLed and restarted; rejecting bulk writes with 429. Afterwards every probe the targets
// answered (every check spooled, after a crash) must be stored exactly once, in probe order.

import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '@elastic/elasticsearch';
import { eventually } from '../alerting/testing/system.ts';
import { createWorld, type World } from '../alerting/testing/world.ts';
import { indexNames } from '../elastic/templates/index.ts';
import { testEsUrl, type TestStore } from '../elastic/store/testing.ts';
import { monitorInput } from '../store/testing/fixtures.ts';
import { spooledChecks, spoolSegments } from '../collector/testing/spool-files.ts';
import { elasticsearchBackend, type OpenedBackend } from './support/backends.ts';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.ts';
import { startProduct, type RunningProduct } from './support/product.ts';

const esUrl = testEsUrl();

/** Targets that count the probes each monitor's path received. */
async function startCountingTargets(): Promise<{ url: string; hits: Map<string, number>; close(): Promise<void> }> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type StoredCheck = { id: string; monitor: string; at: number; ingested: number };

/** Every stored check of the namespace, read straight from the data stream. */
async function storedChecks(client: Client, namespace: string): Promise<StoredCheck[]> {
  const index = indexNames(namespace).checks;
  await client.indices.refresh({ index });
  const out: StoredCheck[] = [];
  let after: estypesSortResults | undefined;
  for (;;) {
    const page = await client.search<Record<string, unknown>>({
      index,
      size: 5_000,
      sort: [{ 'event.id': 'asc' }],
      _source: ['event.id', 'monitor.id', '@timestamp', 'event.ingested'],
      ...(after ? { search_after: after } : {}),
    });
    const hits = page.hits.hits;
    for (const hit of hits) {
      const s = hit._source as { event: { id: string; ingested: string }; monitor: { id: string }; '@timestamp': string };
      out.push({ id: s.event.id, monitor: s.monitor.id, at: Date.parse(s['@timestamp']), ingested: Date.parse(s.event.ingested) });
    }
    if (hits.length < 5_000) return out;
    after = hits.at(-1)!.sort as estypesSortResults;
  }
}
type estypesSortResults = Array<string | number | boolean | null>;

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

describe.skipIf(!esUrl)('the search engine failing under a running collector', () => {
  let storage: OpenedBackend & { store: TestStore };
  let world: World;
  let proxy: FaultProxy;
  let targets: Awaited<ReturnType<typeof startCountingTargets>>;
  let collector: RunningProduct | null = null;

  beforeEach(async () => {
    storage = (await elasticsearchBackend(esUrl!).open()) as OpenedBackend & { store: TestStore };
    world = await createWorld({ storage });
    [proxy, targets] = await Promise.all([startFaultProxy(esUrl!), startCountingTargets()]);
  });
  afterEach(async () => {
    await collector?.stop('SIGKILL');
    collector = null;
    await proxy.up();
    await targets.close();
    await world.close();
  });

  async function monitors(count: number, intervalSeconds: number): Promise<Map<string, string>> {
    const inputs = Array.from({ length: count }, (_, i) =>
      monitorInput({ name: `m${i}`, url: `${targets.url}/m/${i}`, interval_seconds: intervalSeconds, timeout_ms: 2_000 }),
    );
    const created = await storage.store.createMonitors(world.user.id, inputs);
    return new Map(created.map((m) => [m.id, new URL(m.url).pathname])); // monitor id → probed path
  }

  const startCollector = async () => {
    collector = await startProduct(
      {
        ...storage.env,
        ELASTICSEARCH_URL: proxy.url,
        JWT_SECRET: 'fault-scenario-secret-'.repeat(2),
        ALLOW_PRIVATE_TARGETS: 'true',
        MIN_INTERVAL_SECONDS: '1',
      },
      ['--role', 'collector'],
    );
    return collector;
  };

  /** Stops the collector gracefully (it finishes running probes and flushes), then compares. */
  async function expectEveryProbeStoredOnce(paths: Map<string, string>): Promise<StoredCheck[]> {
    expect(await collector!.stop('SIGTERM')).toBe(0);
    collector = null;
    expect(spoolSegments(storage.env.DATA_DIR!), 'the spool emptied').toEqual([]);
    const stored = await storedChecks(storage.store.client, storage.store.namespace);
    expect(new Set(stored.map((c) => c.id)).size, 'no check stored twice').toBe(stored.length);
    for (const [monitorId, path] of paths) {
      const mine = stored.filter((c) => c.monitor === monitorId).sort((a, b) => a.at - b.at);
      expect(mine.length, `${path}: one stored check per probe`).toBe(targets.hits.get(path) ?? 0);
      // Written in probe order: a later probe is never ingested before an earlier one.
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.ingested, `${path}: ingest order`).toBeGreaterThanOrEqual(mine[i - 1]!.ingested);
    }
    return stored;
  }

  it('unreachable for 60 s while 200 monitors are probed: every probe stored once, in order, memory bounded', { timeout: 300_000 }, async () => {
    const paths = await monitors(200, 2);
    const running = await startCollector();
    const before = await eventually('checks of every monitor stored', async () => {
      const stored = await storedChecks(storage.store.client, storage.store.namespace);
      return new Set(stored.map((c) => c.monitor)).size === 200 && stored;
    }, 60_000);

    await proxy.down();
    const outageStart = Date.now();
    const rss: number[] = [];
    const hitsAt = () => [...targets.hits.values()].reduce((a, b) => a + b, 0);
    const hitsBefore = hitsAt();
    while (Date.now() - outageStart < 60_000) {
      rss.push(rssMb(running.process.pid!));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const probedDuringOutage = hitsAt() - hitsBefore;
    await proxy.up();

    // Probing went on during the outage (about 200 monitors × 30 probes).
    expect(probedDuringOutage).toBeGreaterThan(200 * 20);
    await eventually('the checks of the outage written', async () => {
      const stored = await storedChecks(storage.store.client, storage.store.namespace);
      return stored.length >= before.length + probedDuringOutage && stored;
    }, 120_000);
    const stored = await expectEveryProbeStoredOnce(paths);
    expect(stored.length).toBeGreaterThan(before.length + probedDuringOutage - 1);
    // Six thousand checks held meanwhile must not show as a growing process.
    expect(Math.max(...rss), `collector RSS during the outage (MB): ${rss.map((r) => r.toFixed(0)).join(' ')}`).toBeLessThan(400);
  });

  it('the collector SIGKILLed in the middle of the outage and restarted: every check it had spooled is stored once, in order', { timeout: 240_000 }, async () => {
    const paths = await monitors(50, 1);
    await startCollector();
    await eventually('checks stored', async () => (await storedChecks(storage.store.client, storage.store.namespace)).length >= 50, 60_000);

    await proxy.down();
    const dataDir = storage.env.DATA_DIR!;
    await eventually('checks spooled', async () => (await spooledChecks(dataDir)).length >= 500, 60_000);
    await collector!.stop('SIGKILL');
    collector = null;
    const spooled = await spooledChecks(dataDir);
    expect(new Set(spooled.map((c) => c.id)).size, 'each check spooled once').toBe(spooled.length);

    await proxy.up();
    const second = await startCollector();
    await eventually('every spooled check stored and the spool empty', async () => {
      const ids = new Set((await storedChecks(storage.store.client, storage.store.namespace)).map((c) => c.id));
      return spooled.every((c) => ids.has(c.id)) && spoolSegments(dataDir).length === 0;
    }, 90_000);
    expect(second.logs.some((l) => l.msg === 'spool left by an earlier run: replaying it before new checks')).toBe(true);
    expect(await second.stop('SIGTERM')).toBe(0);
    collector = null;

    const stored = await storedChecks(storage.store.client, storage.store.namespace);
    expect(new Set(stored.map((c) => c.id)).size, 'no check stored twice').toBe(stored.length);
    for (const monitorId of paths.keys()) {
      const mine = stored.filter((c) => c.monitor === monitorId).sort((a, b) => a.at - b.at);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.ingested, 'ingest order').toBeGreaterThanOrEqual(mine[i - 1]!.ingested);
    }
  });

  it('rejecting bulk writes with 429 for a while: nothing lost, nothing doubled, and the writer backs off', { timeout: 180_000 }, async () => {
    const paths = await monitors(20, 1);
    await startCollector();
    await eventually('checks stored', async () => (await storedChecks(storage.store.client, storage.store.namespace)).length >= 20, 60_000);

    proxy.setMode('throttle');
    const throttledFrom = proxy.bulks.length;
    await eventually('six writes rejected', async () => proxy.bulks.slice(throttledFrom).filter((b) => b.status === 429).length >= 6, 90_000);
    proxy.setMode('pass');
    const rejected = proxy.bulks.slice(throttledFrom).filter((b) => b.status === 429);
    // Backoff: the rejected attempts spread out instead of hammering the engine.
    const gaps = rejected.slice(1).map((b, i) => b.at - rejected[i]!.at);
    expect(Math.max(...gaps.slice(-3)), `gaps between rejected writes (ms): ${gaps.join(' ')}`).toBeGreaterThan(2 * Math.min(...gaps.slice(0, 2)));

    await eventually('a write accepted again', async () => proxy.bulks.at(-1)?.status === 200, 60_000);
    await expectEveryProbeStoredOnce(paths);
  });
});
