// The stores a cross-part scenario runs on: SQLite always, the search engine when the test run
// has one (ES_URL, set by test/setup/elasticsearch.ts). Each `open` gives fresh, empty storage,
// the store over it, and the environment a child process (`node main.ts`, an alerting process)
// needs to open the same storage.
//
//   describe.each(scenarioBackends())('an outage on $name', (backend) => { … backend.open() … });

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../store/contract.ts';
import { openSqliteStore } from '../../store/sqlite/open.ts';
import { openTestStore, refreshNamespace, testEsUrl } from '../../elastic/store/testing.ts';

export type OpenedBackend = {
  store: Store;
  /** Variables that make `node main.ts` (or an alerting process) open the same storage. */
  env: Record<string, string>;
  /** Makes every write visible to searches (a no-op on SQLite). */
  refresh(): Promise<void>;
  close(): Promise<void>;
};

export type ScenarioBackend = { name: 'sqlite' | 'elasticsearch'; open(): Promise<OpenedBackend> };

export const sqliteBackend: ScenarioBackend = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-sqlite-'));
    const store = await openSqliteStore({ dataDir: dir });
    return {
      store,
      env: { DATA_DIR: dir },
      refresh: async () => {},
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export function elasticsearchBackend(url: string): ScenarioBackend {
  return {
    name: 'elasticsearch',
    async open() {
      const store = await openTestStore(url);
      const dir = mkdtempSync(join(tmpdir(), 'scenario-es-'));
      return {
        store,
        env: { DATA_DIR: dir, STORE: 'elasticsearch', ELASTICSEARCH_URL: url, ELASTICSEARCH_NAMESPACE: store.namespace },
        refresh: () => refreshNamespace(store.client, store.namespace),
        async close() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** SQLite, and the search engine when this run has one. */
export function scenarioBackends(): ScenarioBackend[] {
  const url = testEsUrl();
  return url ? [sqliteBackend, elasticsearchBackend(url)] : [sqliteBackend];
}
