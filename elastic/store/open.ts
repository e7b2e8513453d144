// The Elasticsearch store: the whole contract (store/contract.ts) on data streams (checks,
// events) and regular indices (users, monitors, contacts, API keys, maintenance windows, alert
// state, incidents, outbox, meta) of one namespace. Opening detects the engine (elastic/engine.ts) and, unless told otherwise,
// installs or upgrades the templates, data streams and indices (idempotent).
//
//   const store = await openElasticsearchStore({ client, namespace: 'default', retentionDays: 400 });

import type { Client } from '@elastic/elasticsearch';
import type { Store } from '../../store/contract.ts';
import { detectEngine } from '../engine.ts';
import { installTemplates } from '../setup.ts';
import { indexNames, type IndexNames } from '../templates/index.ts';
import { createAlertStore } from './alerts.ts';
import { createApiKeyStore } from './api-keys.ts';
import { createChecksFeed } from './checks-feed.ts';
import { createCheckReader } from './checks-read.ts';
import { createCheckWriter } from './checks-write.ts';
import { createContactStore } from './contacts.ts';
import { type EsContext, statusOf } from './context.ts';
import { createMaintenanceStore } from './maintenance.ts';
import { createMonitorStore } from './monitors.ts';
import { createOutboxStore } from './outbox.ts';
import { createRetention } from './retention.ts';
import { createSummary } from './summary.ts';
import { createUserStore } from './users.ts';

export type ElasticsearchStoreOptions = {
  client: Client;
  namespace: string;
  retentionDays: number;
  /** Install or upgrade templates, data streams and indices on open (default true). */
  install?: boolean;
  clock?: () => number;
  /** Close the client with the store (default true). */
  ownsClient?: boolean;
  /** How long after its ingest time a check may still become visible (checks-feed.ts). */
  feedOverlapMs?: number;
};

export async function openElasticsearchStore(options: ElasticsearchStoreOptions): Promise<Store> {
  const { client } = options;
  const engine = await detectEngine(client);
  const names = indexNames(options.namespace);
  if (options.install ?? true) {
    try {
      await installTemplates(client, { namespace: options.namespace, retentionDays: options.retentionDays, engine });
    } catch (error) {
      // A least-privilege user (docker-compose's app user) may not install templates; an
      // administrator did (`npm run es:setup`). Go on only if everything is there.
      if (statusOf(error) !== 403) throw error;
      await requireInstalled(client, names);
    }
  }
  const ctx: EsContext = { client, names, engine, clock: options.clock ?? Date.now };
  return {
    backend: 'elasticsearch',
    ...createUserStore(ctx),
    ...createMonitorStore(ctx),
    ...createContactStore(ctx),
    ...createApiKeyStore(ctx),
    ...createMaintenanceStore(ctx),
    ...createCheckWriter(ctx),
    ...createCheckReader(ctx),
    ...createChecksFeed(ctx, options.feedOverlapMs === undefined ? {} : { overlapMs: options.feedOverlapMs }),
    ...createSummary(ctx),
    ...createRetention(ctx),
    ...createAlertStore(ctx),
    ...createOutboxStore(ctx),
    async ping() {
      await client.cluster.health({}, { requestTimeout: 5_000 });
    },
    async close() {
      if (options.ownsClient ?? true) await client.close();
    },
  };
}

async function requireInstalled(client: Client, names: IndexNames): Promise<void> {
  const missing: string[] = [];
  for (const name of Object.values(names)) {
    if (!(await client.indices.exists({ index: name }))) missing.push(name);
  }
  if (missing.length > 0) {
    throw new Error(
      `this user may not install templates, and ${missing.join(', ')} do not exist: run \`npm run es:setup\` as a user with manage_index_templates`,
    );
  }
}
