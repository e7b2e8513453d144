import { describe, expect, it } from 'vitest';
import { checkToEcs, deliveryToEcsEvent, incidentToEcsEvent } from '../../store/ecs.ts';
import { bareCheck, deadDelivery, fullCheck, resolvedIncident } from '../../store/ecs.fixtures.ts';
import { buildTemplates, checkMappings, eventMappings, indexNames, MANAGED_BY, TEMPLATE_VERSION } from './index.ts';
import { checkAgainstMapping, fieldType, mappedLeaves } from './mapping-walk.ts';

const asRecord = (doc: object) => doc as Record<string, unknown>;

describe('check mapping', () => {
  it('accepts every field of a fully populated check document with a fitting type', () => {
    const { problems } = checkAgainstMapping(checkMappings, asRecord(checkToEcs(fullCheck())));
    expect(problems).toEqual([]);
  });

  it('accepts a check document without optional fields', () => {
    const { problems } = checkAgainstMapping(checkMappings, asRecord(checkToEcs(bareCheck())));
    expect(problems).toEqual([]);
  });

  it('maps no field that the check document never writes', () => {
    const { paths } = checkAgainstMapping(checkMappings, asRecord(checkToEcs(fullCheck(), Date.UTC(2026, 0, 1))));
    expect(mappedLeaves(checkMappings.properties ?? {}).filter((leaf) => !paths.includes(leaf))).toEqual([]);
  });

  it('reports a field missing from the mapping, as a strict mapping would refuse it', () => {
    const doc = { ...asRecord(checkToEcs(fullCheck())), monitor_name: 'x' };
    expect(checkAgainstMapping(checkMappings, doc).problems).toEqual([
      'monitor_name: not in the mapping (dynamic: strict would refuse the document)',
    ]);
  });

  it('uses the types Heartbeat and Kibana expect', () => {
    expect(checkMappings.dynamic).toBe('strict');
    expect(fieldType(checkMappings, 'monitor.timespan')).toBe('date_range');
    expect(fieldType(checkMappings, 'resolve.ip')).toBe('ip');
    expect(fieldType(checkMappings, 'monitor.id.text')).toBe('text');
    expect(fieldType(checkMappings, 'monitor.name.text')).toBe('text');
    expect(fieldType(checkMappings, 'url.full.text')).toBe('text');
    expect(fieldType(checkMappings, 'owner.id')).toBe('keyword');
  });
});

describe('event mapping', () => {
  it.each([
    ['resolved incident', incidentToEcsEvent(resolvedIncident(), 'Shop')],
    ['open incident', incidentToEcsEvent({ ...resolvedIncident(), resolved_at: null })],
    ['dead delivery', deliveryToEcsEvent(deadDelivery(), Date.now())],
    [
      'sent certificate delivery (no incident)',
      deliveryToEcsEvent(
        { ...deadDelivery(), status: 'sent', kind: 'cert', incident_id: null, cert: { sha256: 'f'.repeat(64), not_after: Date.now(), issuer: 'R11', threshold_days: 7 } },
        Date.now(),
      ),
    ],
  ])('accepts a %s event', (_name, doc) => {
    expect(checkAgainstMapping(eventMappings, asRecord(doc)).problems).toEqual([]);
  });
});

describe('buildTemplates', () => {
  const set = buildTemplates({ namespace: 'prod_eu', retentionDays: 90 });

  it('makes data stream index templates at priority 500 from existing component templates', () => {
    const components = set.componentTemplates.map((t) => t.name);
    expect(set.indexTemplates.map((t) => [t.name, t.index_patterns, t.priority])).toEqual([
      ['uptime-checks', ['uptime-checks-*'], 500],
      ['uptime-events', ['uptime-events-*'], 500],
    ]);
    for (const template of set.indexTemplates) {
      expect(template.data_stream).toEqual({});
      expect(template.composed_of?.filter((name) => !components.includes(name))).toEqual([]);
    }
  });

  it('puts the retention in days on the checks lifecycle, template and data stream alike', () => {
    expect(set.indexTemplates[0]?.template?.lifecycle).toEqual({ data_retention: '90d' });
    expect(set.dataStreams.find((d) => d.name === 'uptime-checks-prod_eu')?.lifecycle).toEqual({ data_retention: '90d' });
  });

  it('leaves the lifecycle out for an engine without one (OpenSearch refuses the field)', () => {
    const plain = buildTemplates({ namespace: 'prod_eu', retentionDays: 90, lifecycle: false });
    expect(plain.indexTemplates.map((t) => t.template)).toEqual([undefined, undefined]);
    expect(plain.dataStreams.map((d) => d.lifecycle)).toEqual([null, null]);
  });

  it('versions every template and marks who manages it', () => {
    for (const t of [...set.componentTemplates, ...set.indexTemplates]) {
      expect(t.version).toBe(TEMPLATE_VERSION);
      expect(t._meta?.managed_by).toBe(MANAGED_BY);
    }
  });

  it('names the regular indices by namespace, each with a strict mapping', () => {
    expect(set.indices.map((i) => i.index).sort()).toEqual(
      ['alert-state', 'api-keys', 'contacts', 'incidents', 'maintenance', 'meta', 'monitors', 'outbox', 'users'].map((n) => `uptime-${n}-prod_eu`).sort(),
    );
    for (const index of set.indices) expect(index.mappings.dynamic).toBe('strict');
    expect(indexNames('prod_eu').checks).toBe('uptime-checks-prod_eu');
  });

  it('never lets a regular index fall under a data stream template pattern', () => {
    for (const index of set.indices) expect(index.index).not.toMatch(/^uptime-(checks|events)-/);
  });

  it.each([
    [{ namespace: 'Prod-EU', retentionDays: 30 }, /invalid namespace "Prod-EU"/],
    [{ namespace: 'ok', retentionDays: 0 }, /invalid retentionDays 0/],
    [{ namespace: 'ok', retentionDays: 1.5 }, /invalid retentionDays 1.5/],
  ])('refuses bad options with the value named: %o', (options, message) => {
    expect(() => buildTemplates(options)).toThrow(message);
  });
});
