// Test plumbing for the Elasticsearch store: a store over a fresh namespace of the test node
// (ES_URL, set by test/setup/elasticsearch.ts), refreshed on demand and deleted on close.

import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import type { Store } from '../../store/contract.ts';
import { indexNames } from '../templates/index.ts';
import { openElasticsearchStore, type ElasticsearchStoreOptions } from './open.ts';

export function testEsUrl(): string | null {
  return process.env.ES_URL ?? null;
}

export function newTestClient(url: string): Client {
  return new Client({ node: url, requestTimeout: 30_000 });
}

export function freshNamespace(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/** Deletes every data stream and index of a namespace (by name: wildcard deletes may be refused). */
export async function dropNamespace(client: Client, namespace: string): Promise<void> {
  const names = indexNames(namespace);
  await client.indices.deleteDataStream({ name: [names.checks, names.events] }, { ignore: [404] });
  const regular = Object.values(names).filter((n) => n !== names.checks && n !== names.events);
  await client.indices.delete({ index: regular, ignore_unavailable: true }, { ignore: [404] });
}

export type TestStore = Store & { namespace: string; client: Client };

export async function openTestStore(
  url: string,
  options: Partial<Omit<ElasticsearchStoreOptions, 'client' | 'namespace'>> = {},
): Promise<TestStore> {
  const client = newTestClient(url);
  const namespace = freshNamespace();
  const store = await openElasticsearchStore({ client, namespace, retentionDays: 400, ownsClient: false, ...options });
  return {
    ...store,
    namespace,
    client,
    async close() {
      await store.close();
      await dropNamespace(client, namespace).catch(() => undefined);
      await client.close();
    },
  };
}

/** Makes every write of the namespace visible to searches. */
export async function refreshNamespace(client: Client, namespace: string): Promise<void> {
  await client.indices.refresh({ index: `uptime-*-${namespace}`, allow_no_indices: true, expand_wildcards: 'all' });
}
