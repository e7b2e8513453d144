// Static checks of the Kibana saved objects: they parse, their references resolve, every field a
// panel or query names exists in our index templates with a type its operation accepts, and they
// declare the Kibana version docker-compose.yml runs.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { estypes } from '@elastic/elasticsearch';
import { checkMappings, eventMappings } from '../../elastic/templates/index.ts';
import { fieldType } from '../../elastic/templates/mapping-walk.ts';
import { RECORDS, type LensColumn, type SavedObject } from './lens.ts';
import { buildSavedObjects, KIBANA_VERSION, toNdjson } from './objects.ts';

const root = new URL('../../', import.meta.url);
const ndjson = readFileSync(new URL('dashboards/kibana/uptime.ndjson', root), 'utf8');
const objects = ndjson.trimEnd().split('\n').map((line) => JSON.parse(line) as SavedObject);
const byKey = new Map(objects.map((o) => [`${o.type}/${o.id}`, o]));
const MAPPINGS: Record<string, estypes.MappingTypeMapping> = { 'uptime-checks-*': checkMappings, 'uptime-events-*': eventMappings };

function mappingOf(dataViewId: string): estypes.MappingTypeMapping {
  const view = byKey.get(`index-pattern/${dataViewId}`);
  const pattern = String(view?.attributes.title);
  const mapping = MAPPINGS[pattern];
  if (!mapping) throw new Error(`data view ${dataViewId} (${pattern}) matches none of our templates`);
  return mapping;
}

/** Field names in a KQL query: `field : value`, `field < value` and friends. */
const kqlFields = (query: string) => [...query.matchAll(/([\w@.]+)\s*(?::|<=|>=|<|>)/g)].map((m) => m[1] as string);

/** Mapping types each Lens operation accepts (as Kibana's field type → ES types). */
const FITTING: Record<LensColumn['operationType'], string[]> = {
  date_histogram: ['date'],
  terms: ['keyword', 'ip', 'long'],
  average: ['long'],
  percentile: ['long'],
  min: ['long', 'date'],
  max: ['long', 'date'],
  last_value: ['keyword', 'long', 'date', 'ip'],
  count: [],
};
const DATA_TYPE: Record<LensColumn['dataType'], string[]> = { date: ['date'], number: ['long'], string: ['keyword'], ip: ['ip'] };

const semver = (v: string) => v.split('.').map(Number) as [number, number, number];
const notAbove = (a: string, b: string) => {
  const [x, y] = [semver(a), semver(b)];
  return x[0] < y[0] || (x[0] === y[0] && (x[1] < y[1] || (x[1] === y[1] && x[2] <= y[2])));
};
/** The newest migration each type has in Kibana 8.19: an import of anything newer is refused. */
const MAX_TYPE_MIGRATION: Record<string, string> = { 'index-pattern': '8.0.0', search: '8.0.0', lens: '8.9.0', dashboard: '10.2.0' };

describe('uptime.ndjson', () => {
  it('is exactly what objects.ts builds (regenerate with node dashboards/kibana/objects.ts)', () => {
    expect(ndjson).toBe(toNdjson(buildSavedObjects()));
  });

  it('has one saved object per line with unique ids', () => {
    expect(objects.length).toBe(10);
    expect(byKey.size).toBe(objects.length);
  });

  it('resolves every reference to an object in the file', () => {
    const dangling = objects.flatMap((o) =>
      o.references.filter((r) => !byKey.has(`${r.type}/${r.id}`)).map((r) => `${o.id} -> ${r.type}/${r.id}`),
    );
    expect(dangling).toEqual([]);
  });

  it('has data views on both data streams with @timestamp as time field', () => {
    const views = objects.filter((o) => o.type === 'index-pattern').map((o) => [o.attributes.title, o.attributes.timeFieldName]);
    expect(views).toEqual([
      ['uptime-checks-*', '@timestamp'],
      ['uptime-events-*', '@timestamp'],
    ]);
  });

  it('declares migration versions Kibana 8.19 accepts', () => {
    for (const o of objects) {
      expect(o.coreMigrationVersion, o.id).toBe('8.8.0');
      expect(notAbove(o.typeMigrationVersion, MAX_TYPE_MIGRATION[o.type] ?? '0.0.0'), `${o.type} ${o.id}`).toBe(true);
    }
  });
});

describe('the Uptime overview dashboard', () => {
  const dashboard = objects.find((o) => o.type === 'dashboard' && o.attributes.title === 'Uptime overview');
  const panels = JSON.parse(String(dashboard?.attributes.panelsJSON)) as {
    version: string;
    type: string;
    panelIndex: string;
    panelRefName: string;
    gridData: { i: string };
  }[];

  it('links each panel to an object through its reference', () => {
    const titles = panels.map((p) => {
      const ref = dashboard?.references.find((r) => r.name === `${p.panelIndex}:${p.panelRefName}`);
      expect(ref?.type).toBe(p.type);
      return byKey.get(`${ref?.type}/${ref?.id}`)?.attributes.title;
    });
    expect(titles).toEqual([
      'Current status per monitor',
      'Uptime % over time',
      'Response time p50 / p95',
      'Down checks by error type',
      'Certificates expiring within 30 days',
      'Recent incidents',
      'DNS and TCP latency p95',
    ]);
  });

  it('records the Kibana version docker-compose.yml runs, and Elasticsearch runs the same', () => {
    const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as {
      services: Record<string, { image?: string }>;
    };
    const tag = (service: string) => compose.services[service]?.image?.split(':').pop();
    expect(tag('kibana')).toBe(KIBANA_VERSION);
    expect(tag('elasticsearch')).toBe(KIBANA_VERSION);
    expect(new Set(panels.map((p) => p.version))).toEqual(new Set([KIBANA_VERSION]));
  });
});

describe('Lens panels', () => {
  const lenses = objects.filter((o) => o.type === 'lens');
  type LensState = {
    visualization: { layers?: { layerId: string; xAccessor?: string; accessors: string[]; splitAccessor?: string }[]; columns?: { columnId: string }[]; layerId?: string };
    query: { query: string };
    datasourceStates: { formBased: { layers: Record<string, { columns: Record<string, LensColumn>; columnOrder: string[] }> } };
  };

  it.each(lenses.map((o) => [o.attributes.title as string, o]))('%s names only mapped fields with fitting types', (_title, o) => {
    const state = o.attributes.state as LensState;
    const problems: string[] = [];
    for (const [layerId, layer] of Object.entries(state.datasourceStates.formBased.layers)) {
      const ref = o.references.find((r) => r.name === `indexpattern-datasource-layer-${layerId}`);
      expect(ref, `reference for layer ${layerId}`).toBeDefined();
      const mapping = mappingOf(String(ref?.id));
      expect(layer.columnOrder.sort()).toEqual(Object.keys(layer.columns).sort());
      for (const [id, column] of Object.entries(layer.columns)) {
        if (column.operationType === 'count') {
          if (column.sourceField !== RECORDS) problems.push(`${id}: count on ${column.sourceField}`);
        } else {
          const type = fieldType(mapping, column.sourceField);
          if (!type || !FITTING[column.operationType].includes(type)) {
            problems.push(`${id}: ${column.operationType} on ${column.sourceField} (${type ?? 'unmapped'})`);
          }
          if (column.operationType === 'last_value' && !DATA_TYPE[column.dataType].includes(type ?? '')) {
            problems.push(`${id}: dataType ${column.dataType} but ${column.sourceField} is ${type}`);
          }
          const sortField = column.params?.sortField;
          if (typeof sortField === 'string' && fieldType(mapping, sortField) !== 'date') problems.push(`${id}: sort on ${sortField}`);
        }
        for (const field of kqlFields(column.filter?.query ?? '')) {
          if (!fieldType(mapping, field)) problems.push(`${id}: filter names unmapped ${field}`);
        }
      }
      for (const field of kqlFields(state.query.query)) {
        if (!fieldType(mapping, field)) problems.push(`query names unmapped ${field}`);
      }
      const accessors = [
        ...(state.visualization.layers ?? []).flatMap((l) => [l.xAccessor, ...l.accessors, l.splitAccessor]),
        ...(state.visualization.columns ?? []).map((c) => c.columnId),
      ].filter((a): a is string => a !== undefined);
      for (const accessor of accessors) if (!(accessor in layer.columns)) problems.push(`visualization uses missing column ${accessor}`);
    }
    expect(problems).toEqual([]);
  });

  it('catches a panel on a field the mapping lacks (the check above can fail)', () => {
    const mapping = mappingOf('uptime-checks-data-view');
    expect(fieldType(mapping, 'monitor.duration.ms')).toBeUndefined();
    expect(FITTING.percentile.includes(fieldType(mapping, 'monitor.status') ?? '')).toBe(false);
  });
});

describe('the Recent incidents saved search', () => {
  it('shows and sorts by fields of the events mapping, filtered to incident actions', () => {
    const search = objects.find((o) => o.type === 'search');
    const mapping = mappingOf(String(search?.references[0]?.id));
    const columns = search?.attributes.columns as string[];
    const sort = search?.attributes.sort as [string, string][];
    const source = JSON.parse(String((search?.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON));
    const fields = [...columns, ...sort.map(([f]) => f), ...kqlFields(source.query.query)];
    expect(fields.filter((f) => !fieldType(mapping, f))).toEqual([]);
    expect(source.indexRefName).toBe(search?.references[0]?.name);
    expect(source.query.query).toContain('incident-opened');
  });
});
