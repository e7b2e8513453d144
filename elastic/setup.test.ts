// installTemplates against a real search engine: ES_URL (set by test/setup/elasticsearch.ts; with
// ES_API_KEY or ES_USERNAME/ES_PASSWORD, ES_CA_FILE for https). Without one the suite is skipped
// with a notice, unless REQUIRE_ELASTICSEARCH=1, where it fails.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@elastic/elasticsearch';
import { checkToEcs, incidentToEcsEvent } from '../store/ecs.ts';
import { fullCheck, resolvedIncident } from '../store/ecs.fixtures.ts';
import { clientFromConfig, installTemplates } from './setup.ts';
import { detectEngine } from './engine.ts';
import { indexNames, TEMPLATE_VERSION } from './templates/index.ts';
import { REGULAR_INDICES } from './templates/indices.ts';

const url = process.env.ES_URL;
if (!url && process.env.REQUIRE_ELASTICSEARCH === '1') {
  throw new Error('REQUIRE_ELASTICSEARCH=1 but ES_URL is not set: no Elasticsearch node to test the templates against');
}
if (!url) console.warn('\n*** ES_URL not set: skipping elastic/setup.test.ts (templates are only checked statically) ***\n');

describe.skipIf(!url)('installTemplates on a real node', () => {
  const namespace = `t${randomBytes(4).toString('hex')}`;
  const names = indexNames(namespace);
  let client: Client;

  beforeAll(async () => {
    client = await clientFromConfig({
      ELASTICSEARCH_URL: url as string,
      ELASTICSEARCH_API_KEY: process.env.ES_API_KEY,
      ELASTICSEARCH_USERNAME: process.env.ES_USERNAME,
      ELASTICSEARCH_PASSWORD: process.env.ES_PASSWORD,
      ELASTICSEARCH_CA_FILE: process.env.ES_CA_FILE,
    });
  });

  afterAll(async () => {
    await client?.indices.deleteDataStream({ name: [names.checks, names.events] }, { ignore: [404] });
    // By name: wildcard deletes are refused by default (action.destructive_requires_name).
    const regular = Object.values(names).filter((n) => n !== names.checks && n !== names.events);
    await client?.indices.delete({ index: regular, ignore_unavailable: true }, { ignore: [404] });
    await client?.close();
  });

  it('creates everything once, then only updates', async () => {
    const first = await installTemplates(client, { namespace, retentionDays: 7 });
    expect(first.dataStreams.created.sort()).toEqual([names.checks, names.events].sort());
    const regular = Object.keys(REGULAR_INDICES).length;
    expect(regular).toBeGreaterThanOrEqual(8);
    expect(first.indices.created).toHaveLength(regular);
    const second = await installTemplates(client, { namespace, retentionDays: 30 });
    expect(second.dataStreams.created).toEqual([]);
    expect(second.indices.updated).toHaveLength(regular);
    const engine = await detectEngine(client);
    const template = await client.indices.getIndexTemplate({ name: 'uptime-checks' });
    const installed = template.index_templates[0]?.index_template;
    expect(installed?.version).toBe(TEMPLATE_VERSION);
    if (engine.lifecycle) {
      const lifecycle = await client.indices.getDataLifecycle({ name: names.checks });
      expect(lifecycle.data_streams[0]?.lifecycle?.data_retention).toBe('30d');
    } else {
      // No data stream lifecycle (OpenSearch): the template must not carry one, or it is refused;
      // retention is the store's purge (elastic/store/retention.ts).
      expect(installed?.template?.lifecycle).toBeUndefined();
    }
  });

  it('stores a check document and an event, and refuses an unmapped field', async () => {
    const check = checkToEcs(fullCheck());
    await client.index({ index: names.checks, id: check.event.id, op_type: 'create', document: check, refresh: true });
    const event = incidentToEcsEvent(resolvedIncident(), 'Shop');
    await client.index({ index: names.events, op_type: 'create', document: event, refresh: true });
    await expect(
      client.index({ index: names.checks, op_type: 'create', document: { ...check, surprise: 1 } }),
    ).rejects.toThrow(/strict_dynamic_mapping_exception/);

    const found = await client.search({
      index: names.checks,
      query: { bool: { filter: [{ term: { 'owner.id': 'usr_7' } }, { match: { 'monitor.name.text': 'shop' } }] } },
    });
    expect(found.hits.hits.map((h) => h._id)).toEqual([check.event.id]);
    const covering = await client.count({
      index: names.checks,
      query: { term: { 'monitor.timespan': '2025-03-30T01:00:00Z' } },
    });
    expect(covering.count).toBe(1);
  });
});
